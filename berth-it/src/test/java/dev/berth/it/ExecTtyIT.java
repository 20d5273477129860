package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code exec -it} under a real terminal (a tmux pane), with the berth CLI and the docker CLI:
 * the exec'd shell has a console of the container's own devpts, a prompt, job control, the
 * window's size as it changes, and its exit code reaches the client.
 */
@Tag("integration")
class ExecTtyIT extends BusyboxDaemonTest {
  static final Path DOCKER = Path.of("/usr/local/bin/docker");
  static final Pattern CONTAINER_PTS = Pattern.compile("(?m)^/dev/pts/\\d+\\s*$");

  static String container;
  final List<String> sessions = new ArrayList<>();

  @BeforeAll
  static void startARunningContainer() {
    container = env.ok("run", "-d", "--name", "exec-tty", image, "sleep", "600").stdout().strip();
  }

  @AfterEach
  void killSessions() {
    for (String s : sessions) {
      Commands.run(List.of("tmux", "kill-session", "-t", s), Duration.ofSeconds(5));
    }
  }

  @Test
  void berthExecItGivesTheShellARealTerminal() {
    shellInATerminal("berth", Commands.berthCommand(daemon.host(), "exec", "-it", container, "sh"));
  }

  @Test
  void dockerExecItGivesTheShellARealTerminal() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(DOCKER), "the docker CLI is not at " + DOCKER);
    Path config = Files.createDirectories(dir.resolve("docker-config"));
    shellInATerminal("docker", List.of("env", "DOCKER_HOST=" + daemon.host(), "DOCKER_CONFIG=" + config,
        DOCKER.toString(), "exec", "-it", "exec-tty", "sh"));
  }

  @Test
  void aMissingCommandUnderATerminalExitsWithDockersCode() {
    ProcessResult missing = berth("exec", "-t", container, "nope");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(127);
    assertThat(missing.stdout() + missing.stderr()).contains("executable file not found");
    // without a terminal on the client, -t still gives the process one
    assertThat(ok(berth("exec", "-t", container, "tty")).stdout()).matches("/dev/pts/\\d+\\r?\\n");
    assertThat(berth("exec", container, "tty").stdout()).contains("not a tty");
  }

  @Test
  void aTerminalTurnsEveryNewlineIntoCrLfOnceAsDockerdDoes() {
    // An exec's first write used to race runc's clearing of ONLCR on the console: about one
    // exec in five delivered hello\r\r\n. Fifty in a row (through the API: no CLI start each)
    // must all give what dockerd gives.
    for (int i = 0; i < 50; i++) {
      assertThat(ttyExec("[\"echo\", \"hello\"]")).as("exec %d", i).isEqualTo("hello\r\n");
    }
    // and a process that writes later, after any setup, gets the same
    assertThat(ttyExec("[\"sh\", \"-c\", \"sleep 0.2; printf 'a\\\\nb\\\\n'\"]")).isEqualTo("a\r\nb\r\n");
  }

  /** Creates and starts an exec with a TTY through the API; its raw output. */
  private static String ttyExec(String cmdJson) {
    String socket = daemon.host().substring("unix://".length());
    ProcessResult created = ok(Commands.run(List.of("curl", "-sS", "--unix-socket", socket, "-H",
        "Content-Type: application/json", "-d", "{\"Cmd\": " + cmdJson + ", \"Tty\": true, \"AttachStdout\": true,"
            + " \"AttachStderr\": true}", "http://berth/v1.41/containers/" + container + "/exec"), Duration.ofSeconds(30)));
    java.util.regex.Matcher id = Pattern.compile("\"Id\":\"([0-9a-f]+)\"").matcher(created.stdout());
    assertThat(id.find()).as(created.stdout()).isTrue();
    return ok(Commands.run(List.of("curl", "-sS", "--unix-socket", socket, "-H", "Content-Type: application/json",
        "-d", "{\"Detach\": false, \"Tty\": true}", "http://berth/v1.41/exec/" + id.group(1) + "/start"),
        Duration.ofSeconds(30))).stdout();
  }

  private void shellInATerminal(String client, List<String> command) {
    String session = "berth-exectty-" + client + "-" + ProcessHandle.current().pid();
    String shell = String.join(" ", command.stream().map(a -> "'" + a + "'").toList()) + "; echo EXITED=$?; sleep 60";
    ok(Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shell),
        Duration.ofSeconds(10)));
    sessions.add(session);

    // busybox sh prints its prompt only when its stdin is a terminal
    await(session, p -> p.contains("/ #"));
    type(session, "tty; echo $((6*7)); stty size");
    await(session, p -> CONTAINER_PTS.matcher(p).find() && p.contains("42") && p.contains("30 100"));
    assertThat(pane(session)).doesNotContain("not a tty");

    // job control: ^C interrupts the foreground job, not the shell
    type(session, "sleep 30");
    await(session, p -> p.contains("sleep 30"));
    ok(Commands.run(List.of("tmux", "send-keys", "-t", session, "C-c"), Duration.ofSeconds(5)));
    type(session, "echo after-$((1+1))");
    await(session, p -> p.contains("after-2"));

    ok(Commands.run(List.of("tmux", "resize-window", "-t", session, "-x", "90", "-y", "25"), Duration.ofSeconds(5)));
    // the new size travels asynchronously (client, daemon, runc): the shell waits for it
    type(session, "clear; while [ \"$(stty size)\" != '25 90' ]; do sleep 0.1; done; echo resized-$(stty size|tr ' ' x)");
    await(session, p -> p.contains("resized-25x90"));

    type(session, "exit 3");
    await(session, p -> p.contains("EXITED=3"));
  }

  private static void type(String session, String line) {
    ok(Commands.run(List.of("tmux", "send-keys", "-t", session, line, "Enter"), Duration.ofSeconds(5)));
  }

  private static void await(String session, java.util.function.Predicate<String> condition) {
    assertThat(Poll.until(Duration.ofSeconds(20), () -> condition.test(pane(session)))).as(pane(session)).isTrue();
  }

  private static String pane(String session) {
    return Commands.run(List.of("tmux", "capture-pane", "-p", "-t", session), Duration.ofSeconds(5)).stdout();
  }
}
