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
 * pause/unpause and stats through a real berthd, runc and conmon, with the berth CLI and the real
 * docker CLI. Set up as ContainerIT: one daemon and registry for the class, every test removes
 * its containers.
 */
@Tag("integration")
class PauseStatsIT extends BusyboxDaemonTest {

  @AfterEach
  void removeContainers() {
    removeAll();
  }

  private static void removeAll() {
    env.removeAllContainers();
  }

  private static String inspect(String name, String template) {
    return ok(berth("inspect", "-f", template, name)).stdout().strip();
  }

  /** The kernel's view: the v1 freezer's state, or v2's cgroup.freeze (1 = frozen). */
  private static String freezer(String id) {
    for (Path p : List.of(Path.of("/sys/fs/cgroup/freezer/berth", id, "freezer.state"),
        Path.of("/sys/fs/cgroup/berth", id, "cgroup.freeze"))) {
      try {
        String s = Files.readString(p).strip();
        return s.equals("1") ? "FROZEN" : s.equals("0") ? "THAWED" : s;
      } catch (IOException e) {
        // the other cgroup version
      }
    }
    return "no freezer";
  }

  @Test
  void pauseFreezesUnpauseThawsAndAPausedContainerStillStops() {
    String id = ok(berth("run", "-d", "--name", "frozen", image, "sleep", "300")).stdout().strip();

    ok(berth("pause", "frozen"));
    assertThat(inspect("frozen", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}"))
        .isEqualTo("paused true true");
    assertThat(freezer(id)).isEqualTo("FROZEN");
    assertThat(ok(berth("ps", "--format", "{{.Names}} {{.Status}} {{.State}}")).stdout())
        .containsPattern("frozen Up .* \\(Paused\\) paused");
    ProcessResult exec = berth("exec", "frozen", "true");
    assertThat(exec.exitCode()).isNotZero();
    assertThat(exec.stderr()).contains("is paused");
    assertThat(berth("pause", "frozen").stderr()).contains("is already paused");

    ok(berth("container", "unpause", "frozen"));
    assertThat(inspect("frozen", "{{.State.Status}} {{.State.Paused}}")).isEqualTo("running false");
    assertThat(freezer(id)).isEqualTo("THAWED");
    assertThat(ok(berth("exec", "frozen", "echo", "thawed")).stdout()).isEqualTo("thawed\n");
    assertThat(berth("unpause", "frozen").stderr()).contains("Container " + id + " is not paused");

    // Docker stops a paused container: the signal waits in the frozen cgroup until the thaw.
    ok(berth("container", "pause", "frozen"));
    ok(berth("stop", "-t", "1", "frozen"));
    assertThat(inspect("frozen", "{{.State.Status}} {{.State.Paused}}")).isEqualTo("exited false");
    assertThat(berth("pause", "frozen").stderr()).contains("Container " + id + " is not running");
  }

  @Test
  void aPausedContainerIsKilledAndStaysPausedAcrossARestartOfBerthd() {
    ok(berth("run", "-d", "--name", "killme", image, "sleep", "300"));
    ok(berth("pause", "killme"));
    // A signal that does not end the container waits in the frozen cgroup: it stays paused.
    ok(berth("kill", "-s", "USR1", "killme"));
    assertThat(inspect("killme", "{{.State.Status}}")).isEqualTo("paused");
    ok(berth("kill", "killme"));
    assertThat(Poll.until(Duration.ofSeconds(10), () -> inspect("killme", "{{.State.Status}}").equals("exited")))
        .as(inspect("killme", "{{json .State}}")).isTrue();

    ok(berth("run", "-d", "--name", "sleeper", image, "sleep", "300"));
    ok(berth("pause", "sleeper"));
    daemon.stop();
    daemon = env.startAgain();
    // Reconciled against runc state, which says paused.
    assertThat(inspect("sleeper", "{{.State.Status}} {{.State.Paused}}")).isEqualTo("paused true");
    ok(berth("unpause", "sleeper"));
    assertThat(inspect("sleeper", "{{.State.Status}}")).isEqualTo("running");

    // Thawed behind berthd's back while it was down: the record follows runc, not the database.
    String id = inspect("sleeper", "{{.Id}}");
    ok(berth("pause", "sleeper"));
    daemon.stop();
    ok(Commands.run(List.of("runc", "--root=" + daemon.execRoot().resolve("runtime/runc"), "resume", id),
        Duration.ofSeconds(30)));
    daemon = env.startAgain();
    assertThat(inspect("sleeper", "{{.State.Status}} {{.State.Paused}}")).isEqualTo("running false");
  }

  @Test
  void statsShowTheMemoryLimitAndPids() {
    ok(berth("run", "-d", "--name", "limited", "--memory", "64m", image, "sleep", "300"));

    ProcessResult table = ok(berth("stats", "--no-stream", "limited"));
    assertThat(table.stdout().lines().findFirst().orElse("")).containsSubsequence("CONTAINER ID", "NAME", "CPU %",
        "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
    String row = ok(berth("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.CPUPerc}}"))
        .stdout().strip();
    String[] f = row.split("\\|");
    assertThat(f[0]).as(row).isEqualTo("limited");
    assertThat(f[1]).as(row).endsWith(" / 64MiB");
    assertThat(Integer.parseInt(f[2])).as(row).isGreaterThanOrEqualTo(1);
    assertThat(f[3]).as(row).matches("\\d+\\.\\d\\d%");
    // The API's stream: one object a second, each with the previous reading as precpu, until the client leaves.
    ProcessResult streamed = Commands.run(List.of("curl", "-sN", "--max-time", "3", "--unix-socket",
        daemon.socket().toString(), "http://berth/containers/limited/stats"), Duration.ofSeconds(15));
    List<String> objects = streamed.stdout().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(objects).as(streamed.toString()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(objects.get(0)).contains("\"preread\":\"0001-01-01T00:00:00Z\"");
    assertThat(objects.get(1)).containsPattern("\"preread\":\"20\\d\\d-").contains("\"limit\":67108864");
    assertThat(berth("ps", "--format", "{{.Names}}").stdout()).contains("limited"); // the daemon carried on
    // -a includes stopped containers (with zeros).
    ok(berth("run", "--name", "done", image, "true"));
    assertThat(ok(berth("stats", "--no-stream", "-a", "--format", "{{.Name}}")).stdout().lines().sorted().toList())
        .containsExactly("done", "limited");
  }

  @Test
  void theDockerCliPausesUnpausesAndReadsStats() {
    Map<String, String> env = Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString());
    List<String> docker = List.of("/usr/local/bin/docker", "-H", daemon.host());
    ok(berth("run", "-d", "--name", "dockerish", "--memory", "64m", image, "sleep", "300"));

    ok(Commands.run(concat(docker, "pause", "dockerish"), env, Duration.ofMinutes(1)));
    assertThat(inspect("dockerish", "{{.State.Status}}")).isEqualTo("paused");
    ProcessResult ps = ok(Commands.run(concat(docker, "ps", "--format", "{{.Status}}"), env, Duration.ofMinutes(1)));
    assertThat(ps.stdout()).contains("(Paused)");
    ok(Commands.run(concat(docker, "unpause", "dockerish"), env, Duration.ofMinutes(1)));
    assertThat(inspect("dockerish", "{{.State.Status}}")).isEqualTo("running");

    ProcessResult stats = ok(Commands.run(concat(docker, "stats", "--no-stream", "--format",
        "{{.Name}}|{{.MemUsage}}|{{.PIDs}}", "dockerish"), env, Duration.ofMinutes(1)));
    String[] f = stats.stdout().strip().split("\\|");
    assertThat(f[0]).as(stats.toString()).isEqualTo("dockerish");
    assertThat(f[1]).as(stats.toString()).endsWith(" / 64MiB");
    assertThat(Integer.parseInt(f[2])).as(stats.toString()).isGreaterThanOrEqualTo(1);

    // Without --no-stream the docker CLI reads the stream=true API until it is killed (it outlives SIGTERM).
    List<String> live = new ArrayList<>(List.of("timeout", "-s", "KILL", "4"));
    live.addAll(concat(docker, "stats", "--format", "{{.Name}} {{.MemUsage}}", "dockerish"));
    ProcessResult streamed = Commands.run(live, env, Duration.ofSeconds(30));
    assertThat(streamed.stdout()).as(streamed.toString()).contains("dockerish").contains(" / 64MiB");
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

}
