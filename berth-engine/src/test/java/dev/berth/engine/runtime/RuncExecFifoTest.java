package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(60)
class RuncExecFifoTest {
  @TempDir
  Path dir;

  private Path fifo() throws Exception {
    Path f = dir.resolve("exec.fifo");
    assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
    return f;
  }

  private static int alivePid() {
    return (int) ProcessHandle.current().pid();
  }

  @Test
  void readingTheFifoLetsTheWaitingInitGoOnAndRemovesTheFifo() throws Exception {
    Path fifo = fifo();
    // what runc's init does: open for writing (blocks until a reader comes), write "0", exec
    CompletableFuture<Void> init = CompletableFuture.runAsync(() -> {
      try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
        out.write('0');
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertThat(RuncExecFifo.start(fifo, alivePid(), Duration.ofSeconds(10))).isTrue();
    init.get(5, TimeUnit.SECONDS);
    assertThat(fifo).doesNotExist(); // runc's "running"
  }

  @Test
  void withoutAFifoRuncStartIsLeftToSayWhy() throws Exception {
    assertThat(RuncExecFifo.start(dir.resolve("none"), alivePid(), Duration.ofSeconds(1))).isFalse();
    Path plain = Files.writeString(dir.resolve("exec.fifo"), "0");
    assertThat(RuncExecFifo.start(plain, alivePid(), Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void aGoneInitIsLeftToRuncStart() throws Exception {
    Path fifo = fifo();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long t0 = System.nanoTime();
    assertThat(RuncExecFifo.start(fifo, (int) gone.pid(), Duration.ofSeconds(10))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(fifo).exists();
  }

  @Test
  void anInitThatNeverAnswersFailsTheStartAfterTheTimeout() throws Exception {
    Path fifo = fifo();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> RuncExecFifo.start(fifo, alivePid(), Duration.ofMillis(300)))
        .isInstanceOf(BerthException.class).hasMessageContaining("did not take its start");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }
}
