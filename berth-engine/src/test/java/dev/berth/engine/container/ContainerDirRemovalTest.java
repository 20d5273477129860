package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A removed container's directory leaves its place at once and is deleted in the background. */
class ContainerDirRemovalTest {
  @TempDir
  Path containers;

  /** Polls {@code condition} until it holds or {@code limit} passes. */
  private static boolean within(Duration limit, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10); // polling interval; the deadline bounds the wait
    }
    return true;
  }

  private Path containerDir(String id) throws Exception {
    Path dir = containers.resolve(id);
    Files.createDirectories(dir.resolve("upper/etc"));
    Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(dir.resolve("work/work"));
    Files.writeString(dir.resolve("upper/etc/hosts"), "127.0.0.1 localhost\n");
    Files.writeString(dir.resolve("config.json"), "{}");
    return dir;
  }

  @Test
  void theDirectoryIsGoneWhenTheCallReturnsAndNothingIsLeftSoonAfter() throws Exception {
    Path dir = containerDir("a".repeat(64));
    ContainerStore.deleteTreeSoon(dir);
    assertThat(dir).doesNotExist();
    assertThat(within(Duration.ofSeconds(10), () -> {
      try (var left = Files.list(containers)) {
        return left.findAny().isEmpty();
      }
    })).as("the directory set aside is deleted").isTrue();
  }

  @Test
  void whatACrashLeftAsideIsSweptAtTheNextOpenAndLiveDirectoriesStay() throws Exception {
    Path live = containerDir("b".repeat(64));
    Path aside = containerDir(".removed-" + "c".repeat(64));
    ContainerStore.sweepRemoved(containers);
    assertThat(within(Duration.ofSeconds(10), () -> !Files.exists(aside))).as("swept").isTrue();
    assertThat(live.resolve("upper/etc/hosts")).exists();
  }

  @Test
  void aMissingDirectoryIsNoError() {
    ContainerStore.deleteTreeSoon(containers.resolve("d".repeat(64)));
    ContainerStore.sweepRemoved(containers.resolve("nothing-here"));
    assertThat(containers).isEmptyDirectory();
  }
}
