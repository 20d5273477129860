package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Containers through a real berthd, runc and conmon, with the berth CLI and the real docker CLI.
 * One daemon and registry for the class (the busybox image is pushed once); every test removes
 * its containers, and after each test no mount under the data-root and no conmon of this daemon
 * may remain.
 */
@Tag("integration")
class ContainerIT extends BusyboxDaemonTest {

  @AfterEach
  void noLeaks() {
    removeAll(daemon);
    assertNoLeaks(daemon);
  }

  private static void removeAll(BerthdProcess d) {
    ProcessResult ids = Commands.berth(d.host(), "ps", "-aq", "--no-trunc");
    for (String id : ids.stdout().lines().filter(l -> !l.isBlank()).toList()) {
      Commands.berth(d.host(), "rm", "-f", id);
    }
  }

  /** No overlay left mounted under the data-root and no conmon of this daemon's exec-root running. */
  private static void assertNoLeaks(BerthdProcess d) {
    assertThat(Poll.until(Duration.ofSeconds(10), () -> Leftovers.mountsUnder(d.dataRoot()).isEmpty() && conmonsOf(d).isEmpty()))
        .as("mounts %s, conmon %s", Leftovers.mountsUnder(d.dataRoot()), conmonsOf(d)).isTrue();
  }

  private static List<String> conmonsOf(BerthdProcess d) {
    List<String> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("conmon") && cmd.contains(d.execRoot().toString())) {
        found.add(p.pid() + " " + cmd);
      }
    }));
    return found;
  }

  private static long lines(Path file) {
    try {
      return Files.readAllLines(file).size();
    } catch (java.io.IOException e) {
      return 0;
    }
  }


  @Test
  void runPrintsOutputAndExitsWithTheContainersCode() {
    ProcessResult hi = ok(berth("run", "--rm", image, "echo", "hi"));
    assertThat(hi.stdout()).isEqualTo("hi\n");

    ProcessResult three = berth("run", "--rm", image, "sh", "-c", "echo out; echo err >&2; exit 3");
    assertThat(three.exitCode()).isEqualTo(3);
    assertThat(three.stdout()).isEqualTo("out\n");
    assertThat(three.stderr()).isEqualTo("err\n");

    ProcessResult missing = berth("run", "--rm", image, "nope");
    assertThat(missing.exitCode()).isEqualTo(127);
    assertThat(missing.stderr()).contains("exec: \"nope\": executable file not found in $PATH");
    assertThat(ok(berth("ps", "-aq")).stdout()).isEmpty();
  }

  @Test
  void detachedContainerLogsExecStopAndRemove() throws Exception {
    String id = ok(berth("run", "-d", "--name", "ticker", image, "sh", "-c",
        "trap 'echo bye; exit 0' TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done")).stdout().strip();
    assertThat(id).matches("[0-9a-f]{64}");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> berth("logs", "ticker").stdout().contains("line 3"))).isTrue();

    // --tail 2 prints two lines at once; more arrive only by following.
    Path followed = dir.resolve("follow.out");
    Process follow = new ProcessBuilder(Commands.berthCommand(daemon.host(), "logs", "-f", "--tail", "2", "ticker"))
        .redirectOutput(followed.toFile()).redirectErrorStream(true).start();
    try {
      assertThat(Poll.until(Duration.ofSeconds(15), () -> lines(followed) >= 5)).isTrue();
    } finally {
      follow.destroyForcibly();
    }

    ProcessResult exec = berth("exec", "ticker", "sh", "-c", "echo from exec; exit 4");
    assertThat(exec.exitCode()).isEqualTo(4);
    assertThat(exec.stdout()).isEqualTo("from exec\n");
    Path input = dir.resolve("exec-stdin.txt");
    Files.writeString(input, "to exec\n");
    ProcessResult piped = Commands.run(Commands.berthCommand(daemon.host(), "exec", "-i", "ticker", "cat"),
        java.util.Map.of(), input, Duration.ofSeconds(30));
    assertThat(piped.stdout()).as(piped.toString()).isEqualTo("to exec\n");
    // -t: the output passes through a pty's line discipline (newline becomes CR LF), raw stream.
    assertThat(ok(berth("exec", "-t", "ticker", "echo", "via tty")).stdout()).isEqualTo("via tty\r\n");
    ProcessResult missing = berth("exec", "ticker", "nope");
    assertThat(missing.exitCode()).isEqualTo(127);
    assertThat(missing.stderr()).contains("executable file not found");
    assertThat(ok(berth("exec", "-u", "65534:65534", "-w", "/tmp", "-e", "X=y", "ticker", "sh", "-c",
        "id -u; pwd; echo $X")).stdout()).isEqualTo("65534\n/tmp\ny\n");

    assertThat(ok(berth("ps", "--format", "{{.Names}} {{.State}}")).stdout()).isEqualTo("ticker running\n");
    ok(berth("stop", "ticker"));
    assertThat(ok(berth("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ticker")).stdout())
        .isEqualTo("exited 0\n");
    assertThat(berth("logs", "--tail", "1", "ticker").stdout()).isEqualTo("bye\n");
    ok(berth("rm", "ticker"));
    assertThat(berth("inspect", "ticker").exitCode()).isEqualTo(1);
  }

  @Test
  void nameConflictAndRemovingARunningContainerNeedForce() {
    ok(berth("run", "-d", "--name", "taken", image, "sleep", "60"));
    ProcessResult again = berth("create", "--name", "taken", image, "true");
    assertThat(again.exitCode()).isEqualTo(125);
    assertThat(again.stderr()).contains("Conflict. The container name \"/taken\" is already in use");
    ProcessResult bad = berth("create", "--name", "x", image, "true");
    assertThat(bad.stderr()).contains("Invalid container name (x)");

    ProcessResult rmi = berth("rmi", image);
    assertThat(rmi.exitCode()).isEqualTo(1);
    assertThat(rmi.stderr()).contains("a container is using its referenced image");
    assertThat(ok(berth("images", "--format", "{{.Repository}}:{{.Tag}}")).stdout()).isEqualTo(image + "\n");
    ProcessResult crun = berth("run", "--rm", "--runtime", "crun", image, "true");
    assertThat(crun.exitCode()).isEqualTo(125);
    assertThat(crun.stderr()).contains("Unknown runtime specified crun");
    assertThat(ok(berth("info", "--format", "{{.DefaultRuntime}}")).stdout().strip()).isEqualTo("runc");

    ProcessResult rm = berth("rm", "taken");
    assertThat(rm.exitCode()).isEqualTo(1);
    assertThat(rm.stderr()).contains("You cannot remove a running container");
    ok(berth("rm", "-f", "taken"));
    assertThat(ok(berth("ps", "-aq")).stdout()).isEmpty();
  }

  @Test
  void memoryLimitIsSetAndAnAllocationBeyondItIsOomKilled() {
    // sh's $(...) keeps the whole 64 MiB of output in the shell's heap: a real allocation.
    ProcessResult r = berth("run", "--name", "hog", "--memory", "32m", "--memory-swap", "32m", image, "sh", "-c",
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived");
    assertThat(r.stdout()).startsWith("33554432\n").doesNotContain("survived");
    assertThat(r.exitCode()).isEqualTo(137);
    assertThat(ok(berth("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog")).stdout())
        .isEqualTo("true 137\n");

    // The same allocation fits without a limit: the limit, not the command, killed it.
    assertThat(ok(berth("run", "--rm", image, "sh", "-c",
        "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}")).stdout()).isEqualTo("survived 67108864\n");
  }

  @Test
  void pidsLimitCapsForks() {
    ProcessResult r = berth("run", "--rm", "--pids-limit", "10", image, "sh", "-c",
        "cat /sys/fs/cgroup/pids/pids.max; for i in $(seq 20); do sleep 5 & done 2>&1; wait");
    assertThat(r.stdout()).startsWith("10\n");
    assertThat(r.stdout() + r.stderr()).contains("can't fork");
  }

  @Test
  void defaultSecurityMatchesDocker() {
    ProcessResult caps = ok(berth("run", "--rm", image, "grep", "Cap", "/proc/self/status"));
    assertThat(caps.stdout()).contains("CapEff:\t00000000a80425fb").contains("CapBnd:\t00000000a80425fb");

    // A seccomp filter is on by default (Debian's containers-common profile), off when asked.
    assertThat(ok(berth("run", "--rm", image, "grep", "Seccomp:", "/proc/self/status")).stdout())
        .isEqualTo("Seccomp:\t2\n");
    assertThat(ok(berth("run", "--rm", "--security-opt", "seccomp=unconfined", image, "grep", "Seccomp:",
        "/proc/self/status")).stdout()).isEqualTo("Seccomp:\t0\n");
    assertThat(ok(berth("run", "--rm", "--privileged", image, "grep", "Seccomp:", "/proc/self/status")).stdout())
        .isEqualTo("Seccomp:\t0\n");

    ProcessResult mount = berth("run", "--rm", image, "mount", "-t", "tmpfs", "none", "/tmp");
    assertThat(mount.exitCode()).isNotZero();
    assertThat(mount.stderr().toLowerCase()).containsAnyOf("permission denied", "operation not permitted");

    // Masked: the host's /proc/timer_list has content, the container's is /dev/null.
    assertThat(Files.exists(Path.of("/proc/timer_list"))).isTrue();
    assertThat(ok(berth("run", "--rm", image, "sh", "-c", "wc -c < /proc/timer_list")).stdout().strip()).isEqualTo("0");

    assertThat(ok(berth("run", "--rm", "--privileged", image, "sh", "-c",
        "mount -t tmpfs none /tmp && echo mounted")).stdout()).isEqualTo("mounted\n");
    assertThat(ok(berth("run", "--rm", "--cap-drop", "ALL", "--cap-add", "NET_RAW", image, "grep", "CapEff",
        "/proc/self/status")).stdout()).isEqualTo("CapEff:\t0000000000002000\n");
    ProcessResult ro = berth("run", "--rm", "--read-only", image, "touch", "/x");
    assertThat(ro.exitCode()).isNotZero();
    assertThat(ro.stderr()).contains("Read-only file system");
    assertThat(ok(berth("run", "--rm", "--init", image, "ps", "-o", "pid,comm")).stdout())
        .containsPattern("\\b1 init");
  }

  @Test
  void optionsFromTheCommandLineReachTheProcess() throws Exception {
    Path envFile = dir.resolve("env.list");
    Files.writeString(envFile, "# comment\nFROM_FILE=1\n");
    ProcessResult r = ok(berth("run", "--rm", "-e", "A=b", "--env-file", envFile.toString(), "-w", "/tmp",
        "-u", "nobody", "--hostname", "box", "-l", "k=v", image, "sh", "-c", "echo $A $FROM_FILE; pwd; id -u; hostname"));
    assertThat(r.stdout()).isEqualTo("b 1\n/tmp\n65534\nbox\n");
    assertThat(ok(berth("run", "--rm", "--entrypoint", "echo", image, "via", "entrypoint")).stdout())
        .isEqualTo("via entrypoint\n");
    // -i without a TTY: the container's stdin ends when ours does (Docker's StdinOnce).
    Path input = dir.resolve("stdin.txt");
    Files.writeString(input, "piped\n");
    ProcessResult piped = Commands.run(Commands.berthCommand(daemon.host(), "run", "-i", "--rm", image, "sh", "-c",
        "cat; echo end"), java.util.Map.of(), input, Duration.ofSeconds(30));
    assertThat(piped.stdout()).as(piped.toString()).isEqualTo("piped\nend\n");
    ProcessResult badMemory = berth("run", "--rm", "--memory", "12zz", image, "true");
    assertThat(badMemory.exitCode()).isEqualTo(125);
    assertThat(badMemory.stderr()).contains("--memory");
  }

  @Test
  void theRealDockerCliRunsContainersOnBerthd() {
    java.util.Map<String, String> env = java.util.Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString());
    List<String> docker = List.of("/usr/local/bin/docker", "-H", daemon.host());
    ProcessResult hi = Commands.run(concat(docker, "run", "--rm", image, "echo", "hi"), env, Duration.ofMinutes(1));
    assertThat(hi.exitCode()).as(hi.toString()).isZero();
    assertThat(hi.stdout()).isEqualTo("hi\n");
    ProcessResult three = Commands.run(concat(docker, "run", "--rm", image, "sh", "-c", "exit 3"), env,
        Duration.ofMinutes(1));
    assertThat(three.exitCode()).isEqualTo(3);
    ProcessResult missing = Commands.run(concat(docker, "run", "--rm", image, "nope"), env, Duration.ofMinutes(1));
    assertThat(missing.exitCode()).isEqualTo(127);
    ProcessResult ps = Commands.run(concat(docker, "ps", "-a", "-q"), env, Duration.ofMinutes(1));
    assertThat(ps.stdout()).isEmpty();
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  @Test
  void containersSurviveASigkillOfBerthdAndAreReconciled() throws Exception {
    try (BerthdProcess first = BerthdProcess.start(dir.resolve("crash"))) {
      Commands.berth(first.host(), "pull", image);
      // The short ones exit when the test says so (a file in a bind mount), only once berthd is down.
      Path signal = Files.createDirectories(dir.resolve("crash-signal"));
      String untilSignal = "until [ -e /signal/exit ]; do sleep 0.1; done; exit ";
      ok(Commands.berth(first.host(), "run", "-d", "--rm", "--name", "gone", "-v", signal + ":/signal", image,
          "sh", "-c", untilSignal + 4));
      ok(Commands.berth(first.host(), "run", "-d", "--name", "done", "-v", signal + ":/signal", image,
          "sh", "-c", untilSignal + 5));
      ok(Commands.berth(first.host(), "run", "-d", "--name", "long", image, "sleep", "300"));
      String rolledBack = ok(Commands.berth(first.host(), "create", "--name", "rolledback", image, "true")).stdout().strip();
      first.kill();
      Files.writeString(signal.resolve("exit"), "");
      // A removal whose row delete a power cut rolled back: the directory is gone, the row is not.
      ok(Commands.run(List.of("rm", "-rf", first.dataRoot().resolve("containers").resolve(rolledBack).toString()),
          Duration.ofSeconds(10)));
      // Both short containers exit while berthd is down: conmon writes their exit files.
      assertThat(Poll.until(Duration.ofSeconds(20), () -> exitFiles(first.execRoot()) >= 2))
          .as("exit files under %s: %s", first.execRoot(), Commands.run(List.of("find", first.execRoot().toString()),
              Duration.ofSeconds(5)).stdout()).isTrue();
    }
    try (BerthdProcess second = BerthdProcess.start(dir.resolve("crash"))) {
      try {
        assertThat(ok(Commands.berth(second.host(), "ps", "-a", "--format", "{{.Names}} {{.State}}")).stdout()
            .lines().sorted().toList()).containsExactly("done exited", "long running");
        assertThat(ok(Commands.berth(second.host(), "inspect", "-f", "{{.State.ExitCode}}", "done")).stdout())
            .isEqualTo("5\n");
        assertThat(ok(Commands.berth(second.host(), "exec", "long", "echo", "alive")).stdout()).isEqualTo("alive\n");
        ok(Commands.berth(second.host(), "stop", "-t", "1", "long"));
        ok(Commands.berth(second.host(), "rm", "done", "long"));
        assertNoLeaks(second);
      } finally {
        removeAll(second);
      }
    }
  }

  private static long exitFiles(Path execRoot) {
    try (var walk = Files.walk(execRoot.resolve("conmon"))) {
      return walk.filter(p -> p.getParent().getFileName().toString().equals("exit") && Files.isRegularFile(p)).count();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  @Test
  void fiftyContainersStartedAndRemovedLeakNothing() throws Exception {
    ok(berth("run", "--rm", image, "true")); // warm-up: lazily opened files are not leaks
    long fdsBefore = fds(daemon.pid());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String id = ok(berth("run", "-d", image, "sleep", "30")).stdout().strip();
      ids.add(id);
      ok(berth("rm", "-f", id));
    }
    assertThat(ok(berth("ps", "-aq")).stdout()).isEmpty();
    assertNoLeaks(daemon);
    for (String id : ids) {
      for (String controller : List.of("memory", "pids", "cpu", "devices")) {
        assertThat(Path.of("/sys/fs/cgroup", controller, "berth", id)).doesNotExist();
      }
      assertThat(daemon.dataRoot().resolve("containers").resolve(id)).doesNotExist();
      assertThat(daemon.execRoot().resolve("conmon").resolve(id)).doesNotExist();
    }
    assertThat(fds(daemon.pid())).isLessThanOrEqualTo(fdsBefore + 5);
  }

  private static long fds(long pid) throws java.io.IOException {
    try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return list.count();
    }
  }

  @Test
  void interactiveShellUnderTmux() {
    String session = "berth-it-" + ProcessHandle.current().pid();
    List<String> berthCmd = Commands.berthCommand(daemon.host(), "run", "-it", "--rm", image, "sh");
    String shell = String.join(" ", berthCmd.stream().map(a -> "'" + a + "'").toList())
        + "; echo EXITED=$?; sleep 60";
    ok(Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shell),
        Duration.ofSeconds(10)));
    try {
      assertThat(Poll.until(Duration.ofSeconds(20), () -> pane(session).contains("/ #"))).as(pane(session)).isTrue();
      ok(Commands.run(List.of("tmux", "send-keys", "-t", session, "echo $((6*7)); stty size", "Enter"),
          Duration.ofSeconds(5)));
      assertThat(Poll.until(Duration.ofSeconds(10), () -> pane(session).contains("42") && pane(session).contains("30 100")))
          .as(pane(session)).isTrue();
      ok(Commands.run(List.of("tmux", "send-keys", "-t", session, "exit 7", "Enter"), Duration.ofSeconds(5)));
      assertThat(Poll.until(Duration.ofSeconds(10), () -> pane(session).contains("EXITED=7"))).as(pane(session)).isTrue();
    } finally {
      Commands.run(List.of("tmux", "kill-session", "-t", session), Duration.ofSeconds(5));
    }
  }

  private static String pane(String session) {
    return Commands.run(List.of("tmux", "capture-pane", "-p", "-t", session), Duration.ofSeconds(5)).stdout();
  }
}
