package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.sys.LinuxFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The healthcheck runner program (health-runner.c, built into the jar) driven as berthd drives
 * it, through FIFOs and its framing — here on the host, without a container: exit codes,
 * output, the 4096-byte cut, timeouts, exec failures and the end of its input.
 */
@Timeout(60)
class HealthRunnerProgramTest {
  @TempDir
  Path dir;
  private FileChannel requests;
  private FileChannel answers;

  @BeforeEach
  void start() throws Exception {
    Path program = Path.of(HealthRunner.class.getResource("health-runner").toURI());
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    LinuxFs.mknod(in, LinuxFs.S_IFIFO | 0600, 0);
    LinuxFs.mknod(out, LinuxFs.S_IFIFO | 0600, 0);
    try (FileChannel heldIn = FileChannel.open(in, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel heldOut = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      requests = FileChannel.open(in, StandardOpenOption.WRITE);
      answers = FileChannel.open(out, StandardOpenOption.READ);
      Process launcher = new ProcessBuilder("/bin/sh", "-c", "exec \"$0\" berth-health-runner <\"$1\" >\"$2\"",
          program.toString(), in.toString(), out.toString()).start();
      // The program forks and its first process exits (see health-runner.c): the runner goes on.
      assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(launcher.exitValue()).isZero();
    }
  }

  @AfterEach
  void stop() throws IOException {
    requests.close();
    answers.close();
  }

  private HealthRunner.Outcome check(Duration timeout, String... argv) throws IOException {
    send(argv, timeout);
    return HealthRunner.answer(read(read(4).getInt()));
  }

  private void send(String[] argv, Duration timeout) throws IOException {
    ByteBuffer frame = HealthRunner.request(List.of(argv), timeout).orElseThrow();
    while (frame.hasRemaining()) {
      requests.write(frame);
    }
  }

  private ByteBuffer read(int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (answers.read(buf) < 0) {
        throw new java.io.EOFException("the runner ended");
      }
    }
    return buf.flip();
  }

  private static String text(HealthRunner.Outcome o) {
    return new String(((HealthRunner.Outcome.Exited) o).output(), StandardCharsets.UTF_8);
  }

  @Test
  void aCheckGivesItsExitCodeAndBothOutputStreams() throws IOException {
    HealthRunner.Outcome o = check(Duration.ofSeconds(10), "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
    assertThat(o).isInstanceOf(HealthRunner.Outcome.Exited.class);
    assertThat(((HealthRunner.Outcome.Exited) o).code()).isEqualTo(3);
    assertThat(text(o)).isEqualTo("out\nerr\n");
    assertThat(((HealthRunner.Outcome.Exited) o).total()).isEqualTo(8);
    for (int i = 0; i < 3; i++) {
      assertThat(((HealthRunner.Outcome.Exited) check(Duration.ofSeconds(10), "true")).code())
          .as("CMD is found in PATH; checks one after another").isZero();
    }
  }

  @Test
  void aCheckKilledBySignalGives128PlusTheSignal() throws IOException {
    HealthRunner.Outcome o = check(Duration.ofSeconds(10), "/bin/sh", "-c", "kill -9 $$");
    assertThat(((HealthRunner.Outcome.Exited) o).code()).isEqualTo(137);
  }

  @Test
  void outputIsCutAt4096BytesAndCountedWhole() throws IOException {
    HealthRunner.Outcome o = check(Duration.ofSeconds(10), "/bin/sh", "-c", "head -c 10000 /dev/zero | tr '\\0' x");
    assertThat(((HealthRunner.Outcome.Exited) o).output()).hasSize(4096);
    assertThat(((HealthRunner.Outcome.Exited) o).total()).isEqualTo(10000);
  }

  @Test
  void aHungCheckAndWhatItStartedAreKilledAtTheTimeout() throws Exception {
    var seen = new java.util.concurrent.CompletableFuture<Boolean>();
    Thread.ofVirtual().start(() -> {
      try {
        seen.complete(waitUntil(() -> running("sleep 318") && running("sleep 319")));
      } catch (InterruptedException e) {
        seen.complete(false);
      }
    });
    long before = System.nanoTime();
    HealthRunner.Outcome o = check(Duration.ofMillis(1500), "/bin/sh", "-c", "sleep 318 & sleep 319; wait");
    assertThat(o).isInstanceOf(HealthRunner.Outcome.TimedOut.class);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
    assertThat(seen.get()).as("both ran").isTrue();
    assertThat(waitUntil(() -> !running("sleep 318") && !running("sleep 319"))).as("its process group").isTrue();
    assertThat(((HealthRunner.Outcome.Exited) check(Duration.ofSeconds(10), "true")).code()).as("it goes on").isZero();
  }

  @Test
  void aCommandThatCannotBeExecutedIsReportedNotStarted() throws IOException {
    HealthRunner.Outcome o = check(Duration.ofSeconds(10), "no-such-check-command");
    assertThat(o).isEqualTo(new HealthRunner.Outcome.NotStarted(2)); // ENOENT: berthd leaves it to runc exec
  }

  @Test
  void theEndOfItsInputEndsTheRunnerAndTheCheckItRuns() throws Exception {
    send(new String[] {"sleep", "320"}, Duration.ofMinutes(5));
    assertThat(waitUntil(() -> running("sleep 320"))).isTrue();
    requests.close();
    assertThat(answers.read(ByteBuffer.allocate(1))).as("the runner exited: its end of the answers closed").isEqualTo(-1);
    assertThat(waitUntil(() -> !running("sleep 320"))).as("the check was killed").isTrue();
  }

  @Test
  void aFileThatIsNoProgramIsNotRunByAShell() throws IOException {
    Path script = Files.writeString(dir.resolve("no-shebang"), "echo ran\n");
    script.toFile().setExecutable(true);
    // execvp would run it with /bin/sh; runc refuses it (exec format error), so berthd leaves it to runc
    assertThat(check(Duration.ofSeconds(10), script.toString())).isEqualTo(new HealthRunner.Outcome.NotStarted(8));
  }

  @Test
  void anArgumentWithANulByteIsNoRequest() {
    assertThat(HealthRunner.request(List.of("a\0b"), Duration.ofSeconds(1))).isEmpty();
  }

  /** Whether a process with this command line (arguments joined by spaces) runs, zombies aside. */
  private static boolean running(String commandLine) {
    return ProcessHandle.allProcesses().anyMatch(p -> {
      try {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip().equals(commandLine);
      } catch (IOException gone) {
        return false;
      }
    });
  }

  private static boolean waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
