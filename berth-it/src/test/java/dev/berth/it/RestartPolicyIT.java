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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Restart policies run by berthd: back-off, counts, manual stops, berthd restarts and crashes, the docker CLI's view. */
@Tag("integration")
class RestartPolicyIT extends BusyboxDaemonTest {
  private static final Path DOCKER = Path.of("/usr/local/bin/docker");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @AfterEach
  void removeContainers() {
    env.removeAllContainers();
  }

  private static String inspect(String format, String name) {
    return ok(berth("inspect", "-f", format, name)).stdout().strip();
  }

  private static int restartCount(String name) {
    return Integer.parseInt(inspect("{{.RestartCount}}", name));
  }

  private static boolean until(java.util.function.BooleanSupplier condition) {
    return Poll.until(WAIT, condition);
  }

  @Test
  void alwaysRestartsAfterEachExitAndARestartingContainerIsNotRemovedWithoutForce() throws IOException {
    ok(berth("run", "-d", "--name", "again", "--restart", "always", image, "sh", "-c", "exit 3"));
    // The back-off doubles from 100 ms: after 6 restarts the container waits 6.4 s, mostly restarting.
    assertThat(until(() -> restartCount("again") >= 6 && inspect("{{.State.Status}}", "again").equals("restarting")))
        .as(berth("inspect", "again").stdout()).isTrue();
    assertThat(inspect("{{.State.Restarting}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}", "again"))
        .isEqualTo("true true 0 3");
    assertThat(inspect("{{json .HostConfig.RestartPolicy}}", "again"))
        .isEqualTo("{\"Name\":\"always\",\"MaximumRetryCount\":0}");
    ProcessResult ps = ok(berth("ps", "--filter", "name=again", "--format", "{{.Status}}|{{.State}}"));
    assertThat(ps.stdout().strip()).matches("Restarting \\(3\\) .* ago\\|restarting");
    if (Files.isExecutable(DOCKER)) {
      ProcessResult docker = docker("ps", "--filter", "name=again", "--format", "{{.Status}}");
      assertThat(docker.stdout().strip()).as(docker.toString()).matches("Restarting \\(3\\) .* ago");
    }
    String id = inspect("{{.Id}}", "again");
    ProcessResult rm = berth("rm", "again");
    assertThat(rm.exitCode()).isNotZero();
    assertThat(rm.stderr()).contains("You cannot remove a restarting container " + id
        + ". Stop the container before attempting removal or force remove");
    ok(berth("rm", "-f", "again"));
    assertThat(berth("inspect", "again").exitCode()).isNotZero();
  }

  @Test
  void onFailureStopsAfterItsRetriesAndSuccessIsNotRestarted() {
    ok(berth("run", "-d", "--name", "twice", "--restart", "on-failure:2", image, "sh", "-c", "exit 1"));
    ok(berth("run", "-d", "--name", "fine", "--restart", "on-failure", image, "true"));
    assertThat(until(() -> inspect("{{.State.Status}} {{.RestartCount}}", "twice").equals("exited 2"))).isTrue();
    // Three runs: the first and two retries; none after the exit that used up the retries.
    assertThat(until(() -> ok(berth("events", "--since", "0", "--until", String.valueOf(java.time.Instant.now().getEpochSecond()), "--filter", "container=twice",
        "--filter", "event=die")).stdout().lines().count() == 3)).isTrue();
    assertThat(inspect("{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "twice")).isEqualTo("exited 2 1");
    assertThat(until(() -> inspect("{{.State.Status}}", "fine").equals("exited"))).isTrue();
    assertThat(restartCount("fine")).isZero();
    // A start by hand begins again from 0, as dockerd does.
    ok(berth("start", "twice"));
    assertThat(until(() -> inspect("{{.State.Status}} {{.RestartCount}}", "twice").equals("exited 2"))).isTrue();
  }

  @Test
  void stopAndKillByHandEndRestarting() {
    ok(berth("run", "-d", "--name", "stopped", "--restart", "always", image, "sleep", "1000"));
    ok(berth("run", "-d", "--name", "killed", "--restart", "always", image, "sleep", "1000"));
    ok(berth("stop", "-t", "1", "stopped"));
    ok(berth("kill", "killed"));
    assertThat(inspect("{{.State.Status}} {{.RestartCount}}", "stopped")).isEqualTo("exited 0");
    assertThat(until(() -> inspect("{{.State.Status}}", "killed").equals("exited"))).isTrue();
    assertThat(inspect("{{.State.ExitCode}} {{.RestartCount}}", "killed")).isEqualTo("137 0");
    // A restarting container stops restarting at a stop.
    ok(berth("run", "-d", "--name", "looping", "--restart", "always", image, "sh", "-c", "exit 5"));
    assertThat(until(() -> inspect("{{.State.Status}}", "looping").equals("restarting"))).isTrue();
    ok(berth("stop", "looping"));
    assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "looping")).isEqualTo("exited 5");
  }

  /** The processes whose command line names {@code id} (the restart's runtime create made ahead: conmon, runc init). */
  private static List<String> processesOf(String id) {
    return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(cmd -> cmd.contains(id)).toList();
  }

  @Test
  void theBackOffPreparesTheRestartYetAnUpdateMeanwhileAppliesAndAStopOrRemovalLeavesNoProcess() {
    // Each run prints its memory limit (cgroup v1 or v2, whichever the host has) and fails.
    ok(berth("run", "-d", "--name", "limited", "--restart", "always", image, "sh", "-c",
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null; exit 4"));
    String id = inspect("{{.Id}}", "limited");
    // From the 5th restart on the back-off is >= 1.6 s: the update lands inside one.
    assertThat(until(() -> restartCount("limited") >= 5 && inspect("{{.State.Status}}", "limited")
        .equals("restarting"))).isTrue();
    int before = restartCount("limited");
    ok(berth("update", "--memory", "64m", "--memory-swap", "-1", "limited"));
    assertThat(until(() -> restartCount("limited") > before)).isTrue();
    assertThat(until(() -> ok(berth("logs", "limited")).stdout().contains(String.valueOf(64L << 20))))
        .as("the restart after the update runs with the new limit: " + berth("logs", "limited").stdout()).isTrue();

    assertThat(until(() -> inspect("{{.State.Status}}", "limited").equals("restarting"))).isTrue();
    ok(berth("stop", "limited"));
    assertThat(inspect("{{.State.Status}}", "limited")).isEqualTo("exited");
    assertThat(until(() -> processesOf(id).isEmpty())).as("left: %s", processesOf(id)).isTrue();
    assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "limited")).isEqualTo("exited 4");

    ok(berth("start", "limited"));
    assertThat(until(() -> restartCount("limited") >= 3 && inspect("{{.State.Status}}", "limited")
        .equals("restarting"))).isTrue();
    ok(berth("rm", "-f", "limited"));
    assertThat(until(() -> processesOf(id).isEmpty())).as("left: %s", processesOf(id)).isTrue();
  }

  @Test
  void createRefusesBadPoliciesWithDockersWords() {
    assertThat(berth("create", "--restart", "bogus", image, "true").stderr())
        .contains("invalid restart policy 'bogus'");
    assertThat(berth("create", "--restart", "always:3", image, "true").stderr())
        .contains("maximum retry count cannot be used with restart policy 'always'");
    assertThat(berth("create", "--restart", "on-failure:-1", image, "true").stderr())
        .contains("maximum retry count cannot be negative");
    assertThat(berth("create", "--rm", "--restart", "always", image, "true").stderr())
        .contains("can't create 'AutoRemove' container with restart policy");
  }

  @Test
  void policiesCarryOnAcrossABerthdCrash() {
    ok(berth("run", "-d", "--name", "keeps", "--restart", "unless-stopped", image, "sleep", "1000"));
    ok(berth("run", "-d", "--name", "userstop", "--restart", "unless-stopped", image, "sleep", "1000"));
    ok(berth("run", "-d", "--name", "alwaysstop", "--restart", "always", image, "sleep", "1000"));
    ok(berth("run", "-d", "--name", "backoff", "--restart", "always", image, "sh", "-c", "exit 7"));
    ok(berth("stop", "-t", "1", "userstop"));
    ok(berth("stop", "-t", "1", "alwaysstop"));
    assertThat(until(() -> restartCount("backoff") >= 5 && inspect("{{.State.Status}}", "backoff")
        .equals("restarting"))).isTrue();
    int before = restartCount("backoff");
    String keepsPid = inspect("{{.State.Pid}}", "keeps");

    daemon.kill(); // SIGKILL: no shutdown of anything
    daemon.close();
    daemon = env.startAgain();

    assertThat(until(() -> restartCount("backoff") > before)).as("the restarting one carries on").isTrue();
    assertThat(inspect("{{.State.Status}} {{.State.Pid}}", "keeps")).as("the running one runs on under conmon")
        .isEqualTo("running " + keepsPid);
    assertThat(inspect("{{.State.Status}}", "userstop")).as("unless-stopped remembers the manual stop")
        .isEqualTo("exited");
    assertThat(until(() -> inspect("{{.State.Status}}", "alwaysstop").equals("running")))
        .as("always starts with the daemon, even after a manual stop (as Docker documents)").isTrue();
  }

  private static ProcessResult docker(String... args) {
    Assumptions.assumeTrue(Files.isExecutable(DOCKER));
    List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
    cmd.addAll(List.of(args));
    try {
      return Commands.run(cmd, Map.of("DOCKER_HOST", daemon.host(), "DOCKER_CONFIG",
          Files.createDirectories(dir.resolve("docker-config")).toString()), Duration.ofMinutes(1));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
