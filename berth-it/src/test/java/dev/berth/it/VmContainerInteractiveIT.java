package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Terminals, stdin and signals of {@code --isolation=vm} containers: {@code run -it} and
 * {@code exec -it} under a real terminal (a tmux pane), {@code exec -i} with stdin through bin/berth
 * and the docker CLI, {@code run -i} with piped input, {@code kill -s} and {@code stop} with the
 * container's stop signal. TCG as in {@link VmContainerIT}; each test boots one microVM.
 */
@Tag("integration")
class VmContainerInteractiveIT extends MicroVmDaemonTest {
  final List<String> sessions = new ArrayList<>();

  @AfterEach
  void closeTerminals() {
    for (String s : sessions) {
      Commands.run(List.of("tmux", "kill-session", "-t", s), Duration.ofSeconds(5));
    }
  }

  @Test
  void runItExecItExecIKillAndStopInOneMicroVm() throws IOException {
    String session = tmux("run", Commands.berthCommand(daemon.host(), "run", "-it", "--name", "vmtty",
        "--isolation=vm", "--stop-signal", "USR2", image, "sh"));
    await(session, p -> p.contains("/ #"), RUN);
    type(session, "tty; echo $((6*7)); stty size");
    await(session, p -> p.contains("/dev/hvc0") && p.contains("42") && p.contains("30 100"), Duration.ofSeconds(60));

    // exec -i: stdin streamed to the process, with bin/berth and the docker CLI
    Path input = Files.writeString(dir.resolve("input"), "one\ntwo\n");
    ProcessResult cat = Commands.run(Commands.berthCommand(daemon.host(), "exec", "-i", "vmtty", "sh", "-c",
        "while read l; do echo got-$l; done; exit 6"), Map.of(), input, RUN);
    assertThat(cat.exitCode()).as(cat.toString()).isEqualTo(6);
    assertThat(cat.stdout()).isEqualTo("got-one\ngot-two\n");
    Path docker = Path.of("/usr/local/bin/docker");
    if (Files.isExecutable(docker)) {
      ProcessResult viaDocker = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "exec", "-i", "-u", "1000",
          "-w", "/tmp", "-e", "X=y", "vmtty", "sh", "-c", "read l; echo $l $(id -u) $(pwd) $X; echo err >&2"),
          Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString()),
          Files.writeString(dir.resolve("piped"), "piped\n"), RUN);
      assertThat(viaDocker.exitCode()).as(viaDocker.toString()).isZero();
      assertThat(viaDocker.stdout()).isEqualTo("piped 1000 /tmp y\n");
      assertThat(viaDocker.stderr()).isEqualTo("err\n");
    }

    // exec -it: a terminal of its own in the guest, resized with the window, the exit code back
    String exec = tmux("exec", Commands.berthCommand(daemon.host(), "exec", "-it", "vmtty", "sh"));
    await(exec, p -> p.contains("/ #"), Duration.ofSeconds(60));
    type(exec, "tty; stty size");
    await(exec, p -> p.contains("/dev/hvc1") && p.contains("30 100"), Duration.ofSeconds(60));
    ok(Commands.run(List.of("tmux", "resize-window", "-t", exec, "-x", "90", "-y", "25"), Duration.ofSeconds(5)));
    type(exec, "clear; while [ \"$(stty size)\" != '25 90' ]; do sleep 0.2; done; echo resized-$(stty size|tr ' ' x)");
    await(exec, p -> p.contains("resized-25x90"), Duration.ofSeconds(60));
    type(exec, "exit 3");
    await(exec, p -> p.contains("EXITED=3"), Duration.ofSeconds(60));
    // the exec's terminal has the window's size before its process starts (ConsoleSize with the
    // start): a command that reads it at once sees it; with only the resize after the start it
    // saw 0 rows under load (busybox's stty size then failed with a stale errno)
    String sized = tmux("sized", Commands.berthCommand(daemon.host(), "exec", "-it", "vmtty", "stty", "size"));
    await(sized, p -> p.contains("EXITED="), Duration.ofSeconds(60));
    assertThat(pane(sized)).contains("30 100").contains("EXITED=0");

    // kill -s reaches the main process in the guest; ^C reaches its foreground job
    type(session, "trap 'echo got-USR1' USR1; trap 'echo bye; exit 9' USR2; while :; do sleep 1; done");
    await(session, p -> p.contains("while :"), Duration.ofSeconds(30));
    ok(berth("kill", "-s", "USR1", "vmtty"));
    await(session, p -> p.contains("got-USR1"), Duration.ofSeconds(60));
    assertThat(inspect("vmtty").at("/State/Running").asBoolean()).isTrue();

    // stop sends the container's stop signal (USR2 here) and waits for it
    long t0 = System.nanoTime();
    ok(berth("stop", "-t", "60", "vmtty"));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    await(session, p -> p.contains("EXITED=9"), Duration.ofSeconds(30));
    assertThat(inspect("vmtty").at("/State/ExitCode").asInt()).isEqualTo(9);
    assertThat(took).as("stop ended with the process, not the timeout").isLessThan(Duration.ofSeconds(45));
  }

  @Test
  void runIWithPipedInputAndAnExitCode() throws IOException {
    Path input = Files.writeString(dir.resolve("run-input"), "hello vm\nrest\n");
    ProcessResult r = Commands.run(Commands.berthCommand(daemon.host(), "run", "-i", "--rm", "--isolation=vm", image,
        "sh", "-c", "read l; echo got $l; cat; exit 4"), Map.of(), input, RUN);

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(4); // cat saw the end of the input
    assertThat(r.stdout()).isEqualTo("got hello vm\nrest\n");
  }

  /** A tmux session of 100x30 running {@code command}, then printing its exit code. */
  private String tmux(String name, List<String> command) {
    String session = "berth-vmtty-" + name + "-" + ProcessHandle.current().pid();
    String shell = String.join(" ", command.stream().map(a -> "'" + a + "'").toList()) + "; echo EXITED=$?; sleep 120";
    ok(Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shell),
        Duration.ofSeconds(10)));
    sessions.add(session);
    return session;
  }

  private static void type(String session, String line) {
    ok(Commands.run(List.of("tmux", "send-keys", "-t", session, line, "Enter"), Duration.ofSeconds(5)));
  }

  private static void await(String session, java.util.function.Predicate<String> condition, Duration limit) {
    assertThat(Poll.until(limit, () -> condition.test(pane(session)))).as(pane(session)).isTrue();
  }

  private static String pane(String session) {
    return Commands.run(List.of("tmux", "capture-pane", "-p", "-t", session), Duration.ofSeconds(5)).stdout();
  }
}
