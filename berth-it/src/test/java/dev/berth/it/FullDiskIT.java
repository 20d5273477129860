package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data-root on a small tmpfs that fills up during a pull, a commit, a load and a container's
 * log: each fails with "no space left on device" naming what failed, leaves no temp blob, temp
 * layer dir or image row, berthd keeps serving, and the same operation succeeds once space is freed.
 */
@Tag("integration")
class FullDiskIT {
  private static final long DISK = 192L << 20;
  /** Random (incompressible) layer bytes of the big image: more than the room a filled disk leaves. */
  private static final long BIG_LAYER = 24L << 20;

  @TempDir
  static Path dir;

  static Path dataRoot;
  static LocalRegistry registry;
  static BerthdProcess daemon;
  static String busybox;
  static String big;

  @BeforeAll
  static void startOnASmallDisk() throws Exception {
    dataRoot = dir.resolve("berthd/data");
    Files.createDirectories(dataRoot);
    ok(Commands.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + DISK, "berth-fulldisk", dataRoot.toString()),
        Duration.ofSeconds(10)));
    // From here a failure still runs cleanUp (JUnit runs @AfterAll after a failed @BeforeAll).
    registry = LocalRegistry.start(dir.resolve("registry"));
    busybox = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(registry.host() + "/test/busybox:latest");
    BusyboxImage.writeOciLayout(dir.resolve("big-layout"), "big", 1, BIG_LAYER).pushTo(registry.host() + "/test/big:latest");
    big = registry.host() + "/test/big:latest";
    daemon = BerthdProcess.start(dir.resolve("berthd"));
    ok(berth("pull", "-q", busybox));
  }

  @AfterAll
  static void cleanUp() {
    try {
      if (daemon != null && daemon.isAlive()) {
        for (String id : berth("ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
          berth("rm", "-f", id);
        }
        daemon.stop();
      }
      if (daemon != null) {
        daemon.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      Leftovers.removeUnder(dir); // the tmpfs too, and anything mounted on it
    }
  }

  @AfterEach
  void freeSpace() throws IOException {
    Files.deleteIfExists(dataRoot.resolve("filler"));
  }

  @Test
  void aPullThatFillsTheDiskFailsCleanlyAndSucceedsOnceSpaceIsFreed() throws Exception {
    List<String> imagesBefore = images();
    fillLeaving(4L << 20);

    ProcessResult pull = berth("pull", big);
    assertThat(pull.exitCode()).as(pull.toString()).isNotZero();
    assertNoSpaceError(pull, "pull");
    assertNothingHalfWritten(imagesBefore);
    assertServing();

    freeSpace();
    ok(berth("pull", "-q", big));
    assertThat(images()).hasSize(imagesBefore.size() + 1);
    ok(berth("rmi", big));
  }

  @Test
  void aCommitThatFillsTheDiskFailsCleanlyAndSucceedsOnceSpaceIsFreed() throws Exception {
    ok(berth("run", "--name", "committed", busybox, "dd", "if=/dev/urandom", "of=/payload", "bs=1M", "count=16"));
    List<String> imagesBefore = images();
    fillLeaving(4L << 20);

    ProcessResult commit = berth("commit", "committed", "test/committed:1");
    assertThat(commit.exitCode()).as(commit.toString()).isNotZero();
    assertNoSpaceError(commit, "commit");
    assertNothingHalfWritten(imagesBefore);
    assertServing();

    freeSpace();
    ok(berth("commit", "committed", "test/committed:1"));
    assertThat(images()).hasSize(imagesBefore.size() + 1);
    ok(berth("rm", "committed"));
    ok(berth("rmi", "test/committed:1"));
  }

  @Test
  void aLoadThatFillsTheDiskFailsCleanlyAndSucceedsOnceSpaceIsFreed() throws Exception {
    ok(berth("pull", "-q", big));
    Path archive = dir.resolve("big.tar"); // outside the small disk
    ok(berth("save", "-o", archive.toString(), big));
    ok(berth("rmi", big));
    List<String> imagesBefore = images();
    fillLeaving(4L << 20);

    ProcessResult load = berth("load", "-i", archive.toString());
    assertThat(load.exitCode()).as(load.toString()).isNotZero();
    assertNoSpaceError(load, "load");
    assertNothingHalfWritten(imagesBefore);
    assertServing();

    freeSpace();
    ok(berth("load", "-i", archive.toString()));
    assertThat(images()).hasSize(imagesBefore.size() + 1);
    ok(berth("rmi", big));
  }

  @Test
  void aLogThatMeetsAFullDiskDropsLinesButTheContainerAndDaemonGoOn() throws Exception {
    String id = ok(berth("run", "-d", busybox, "sh", "-c",
        "i=0; while true; do echo line-$i; i=$((i+1)); usleep 20000; done")).stdout().strip();
    assertThat(Poll.until(Duration.ofSeconds(20), () -> berth("logs", id).stdout().contains("line-5"))).isTrue();
    fillLeaving(0);
    assertServing();
    assertThat(berth("inspect", "-f", "{{.State.Running}}", id).stdout().strip()).isEqualTo("true");
    ProcessResult whileFull = ok(berth("logs", id));
    assertThat(whileFull.stdout().lines()).allMatch(l -> l.matches("line-\\d+"));
    int lastWhileFull = lastLine(whileFull.stdout());

    freeSpace();
    assertThat(Poll.until(Duration.ofSeconds(20), () -> lastLine(berth("logs", id).stdout()) > lastWhileFull + 5))
        .as("lines logged after space was freed").isTrue();
    // A write cut inside a line's text may leave that one line torn; every other line is whole.
    assertThat(ok(berth("logs", id)).stdout().lines().filter(l -> !l.matches("line-\\d+")).count()).isLessThanOrEqualTo(1);
    ok(berth("rm", "-f", id));
  }

  private static int lastLine(String logs) {
    return logs.lines().filter(l -> l.matches("line-\\d+")).mapToInt(l -> Integer.parseInt(l.substring(5)))
        .max().orElse(-1);
  }

  /** Leaves about {@code room} bytes free on the data-root's disk. */
  private static void fillLeaving(long room) throws IOException {
    long free = Files.getFileStore(dataRoot).getUsableSpace();
    Path filler = dataRoot.resolve("filler");
    ok(Commands.run(List.of("fallocate", "-l", Long.toString(Math.max(4096, free - room)), filler.toString()),
        Duration.ofSeconds(30)));
  }

  private static void assertNoSpaceError(ProcessResult r, String operation) {
    String out = r.stdout() + r.stderr();
    System.out.println("FullDiskIT " + operation + ": " + out.strip());
    assertThat(out).as(operation).containsIgnoringCase("no space left on device");
    assertThat(out).as(operation + ": no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
  }

  /** No temp blob, no temp layer dir, no new image row. */
  private static void assertNothingHalfWritten(List<String> imagesBefore) throws IOException {
    assertThat(tempEntries(dataRoot.resolve("content/blobs/sha256"))).as("temp blobs").isEmpty();
    assertThat(tempEntries(dataRoot.resolve("layers"))).as("temp layer dirs").isEmpty();
    assertThat(images()).as("images").isEqualTo(imagesBefore);
  }

  private static List<String> tempEntries(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
    }
  }

  private static void assertServing() {
    ok(berth("version"));
    ok(berth("ps", "-a"));
  }

  private static List<String> images() {
    return ok(berth("images", "-q", "--no-trunc")).stdout().lines().filter(l -> !l.isBlank()).sorted().toList();
  }

  private static ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }
}
