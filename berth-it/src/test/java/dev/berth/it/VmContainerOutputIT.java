package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A microVM container without a terminal or stdin (decision 3400): its stdout and stderr are pipes
 * in the guest, copied to files on a 9p share of their own, and virtio-serial (the exec agent's
 * transport) is loaded only when berthd first needs the agent.
 */
@Tag("integration")
class VmContainerOutputIT extends MicroVmDaemonTest {
  @Test
  void stdoutStderrAndDevStdoutReachTheLogWithTheirStreamsUpToTheLastByte() throws IOException {
    String id = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c",
        "echo out; echo err >&2; echo via >/dev/stdout; [ -p /dev/stdout ] && echo pipe;"
            + " i=0; while [ $i -lt 300 ]; do echo line$i; i=$((i+1)); done; printf 'last words' >&2; exit 5"))
        .stdout().strip();

    assertThat(ok(berth("wait", id)).stdout().strip()).isEqualTo("5");
    ProcessResult logs = ok(berth("logs", id));
    assertThat(logs.stdout()).startsWith("out\nvia\npipe\nline0\n").endsWith("line299\n"); // a pipe, as with runc
    assertThat(logs.stderr()).isEqualTo("err\nlast words"); // written right before the exit
  }

  @Test
  void aBackgroundProcessHoldingTheOutputDoesNotKeepTheContainerRunning() {
    long t0 = System.nanoTime();
    ProcessResult r = berth("run", "--rm", "--isolation=vm", image, "sh", "-c", "sleep 300 & echo started; exit 2");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stdout()).isEqualTo("started\n");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void execsAndHealthchecksWorkOnAContainerWhoseAgentWasNeverUsed() throws IOException {
    String id = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c", "echo ready; exec sleep 600"))
        .stdout().strip();
    awaitLog(id, "ready");
    ProcessResult first = ok(berth("exec", id, "sh", "-c", "echo first; echo e >&2"));
    assertThat(first.stdout()).isEqualTo("first\n");
    assertThat(first.stderr()).isEqualTo("e\n");

    String fresh = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c", "echo ready; exec sleep 600"))
        .stdout().strip();
    awaitLog(fresh, "ready");
    // exec -i: the slot's ports are plugged before the guest has the driver for them
    ProcessResult cat = Commands.run(Commands.berthCommand(daemon.host(), "exec", "-i", fresh, "sh", "-c",
        "while read l; do echo got-$l; done; exit 6"), Map.of(), Files.writeString(dir.resolve("in"), "one\ntwo\n"), RUN);
    assertThat(cat.exitCode()).as(cat.toString()).isEqualTo(6);
    assertThat(cat.stdout()).isEqualTo("got-one\ngot-two\n");

    String checked = ok(berth("run", "-d", "--isolation=vm", "--health-cmd", "echo fine", "--health-interval", "1s",
        "--health-retries", "1", image, "sh", "-c", "echo ready; exec sleep 600")).stdout().strip();
    assertThat(Poll.until(RUN, () -> health(checked).equals("healthy"))).as("health of %s", checked).isTrue();
    // the main process's output still flows after the agent came up
    assertThat(ok(berth("logs", checked)).stdout()).isEqualTo("ready\n");
  }

  @Test
  void aGuestThatTurnsItsOutputFileIntoALinkGetsNoHostFileIntoTheLog() throws IOException {
    Path secret = Files.writeString(dir.resolve("host-secret"), "host-secret-content\n");
    // Root in the guest reaches the init's output share through /proc/1/root: the worst a guest
    // can do to it is replace the files (QEMU makes links and special files plain files on the
    // host; berthd would not follow or read them either way).
    String script = "m=/proc/1/root/output; [ -f $m/stdout ] || exit 9; echo before; sleep 1; rm $m/stdout;"
        + " ln -s " + secret + " $m/stdout; ln -s /etc/shadow $m/shadow; rm $m/stderr; mkfifo $m/stderr;"
        + " mknod $m/null c 1 3; echo after; echo more >&2; exit 4";
    String id = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c", script)).stdout().strip();

    assertThat(ok(berth("wait", id)).stdout().strip()).isEqualTo("4"); // berthd did not hang on the FIFO
    ProcessResult logs = ok(berth("logs", id));
    assertThat(logs.stdout()).startsWith("before\n").doesNotContain("host-secret-content").doesNotContain("root:");
    assertThat(Files.isSymbolicLink(daemon.dataRoot().resolve("containers").resolve(id).resolve("vm/output/stdout")))
        .as("a guest's link is a plain file on the host").isFalse();
    assertThat(logs.stderr()).doesNotContain("root:");
    assertThat(Files.readString(secret)).isEqualTo("host-secret-content\n");
    // the container starts again: berthd clears the share without following what the guest left in it
    ok(berth("start", id));
    assertThat(ok(berth("wait", id)).stdout().strip()).isEqualTo("4");
    assertThat(Files.readString(secret)).isEqualTo("host-secret-content\n");
  }

  @Test
  void aGuestThatTruncatesItsOutputFileToTerabytesDoesNotFloodTheLog() throws IOException {
    // A truncate to 1 TiB costs the guest nothing (a hole); copied, it would fill the host's disk.
    String id = ok(berth("run", "-d", "--network", "none", "--isolation=vm", image, "sh", "-c",
        "echo before; sleep 1; truncate -s 1099511627776 /proc/1/root/output/stdout || exit 9; echo after; exit 5")).stdout().strip();

    assertThat(ok(berth("wait", id)).stdout().strip()).isEqualTo("5");
    assertThat(ok(berth("logs", id)).stdout()).isEqualTo("before\n"); // from the hole on: refused
    Path log = daemon.dataRoot().resolve("containers").resolve(id);
    try (var files = Files.walk(log)) {
      long biggest = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).max().orElse(0);
      assertThat(biggest).as("the container's log files").isLessThan(1 << 20);
    }
  }

  @Test
  void aRestartedBerthdExecsWhetherOrNotTheGuestLoadedItsAgentAndFollowsTheOutput() throws IOException {
    String id = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c",
        "trap 'echo bye; exit 8' TERM; echo ready; while :; do sleep 1; done")).stdout().strip();
    awaitLog(id, "ready");

    daemon.kill(); // before any exec: the new berthd cannot know the guest has no agent yet
    daemon = env.startAgain();
    assertThat(ok(berth("exec", id, "echo", "one")).stdout()).isEqualTo("one\n");
    daemon.kill(); // now the agent runs: asking for it again changes nothing
    daemon = env.startAgain();
    assertThat(ok(berth("exec", id, "echo", "two")).stdout()).isEqualTo("two\n");

    ok(berth("stop", "-t", "30", id));
    assertThat(inspect(id).at("/State/ExitCode").asInt()).isEqualTo(8);
    assertThat(ok(berth("logs", id)).stdout()).isEqualTo("ready\nbye\n"); // followed on, nothing repeated
  }

  private static String health(String id) {
    try {
      return inspect(id).at("/State/Health/Status").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitLog(String id, String text) {
    assertThat(Poll.until(RUN, () -> berth("logs", id).stdout().contains(text))).as("%s never logged %s", id, text)
        .isTrue();
  }
}
