package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Healthchecks run by berthd: State.Health, events, ps's Status and filter, timeouts, a berthd restart. */
@Tag("integration")
class HealthcheckIT extends BusyboxDaemonTest {
  private static final Path DOCKER = Path.of("/usr/local/bin/docker");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @AfterEach
  void removeContainers() {
    env.removeAllContainers();
  }

  private static String inspect(String format, String name) {
    return ok(berth("inspect", "-f", format, name)).stdout().strip();
  }

  private static JsonNode health(String name) {
    try {
      return new ObjectMapper().readTree(inspect("{{json .State.Health}}", name));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean healthIs(String name, String status) {
    return Poll.until(WAIT, () -> inspect("{{.State.Health.Status}}", name).equals(status));
  }

  private static String psNames(String filter) {
    return ok(berth("ps", "--filter", filter, "--format", "{{.Names}}")).stdout().strip();
  }

  @Test
  void healthyWhileItsFileIsThereUnhealthyAfterItIsRemoved() throws IOException {
    ok(berth("run", "-d", "--name", "checked", "--health-cmd", "test -f /ok && echo fine", "--health-interval", "1s",
        "--health-retries", "2", image, "sh", "-c", "touch /ok; exec sleep 1000"));
    assertThat(inspect("{{json .Config.Healthcheck}}", "checked"))
        .isEqualTo("{\"Test\":[\"CMD-SHELL\",\"test -f /ok && echo fine\"],\"Interval\":1000000000,\"Retries\":2}");
    assertThat(healthIs("checked", "healthy")).isTrue();
    JsonNode healthy = health("checked");
    assertThat(healthy.path("FailingStreak").asInt()).isZero();
    assertThat(healthy.path("Log").get(0).path("ExitCode").asInt()).isZero();
    assertThat(healthy.path("Log").get(0).path("Output").asText()).isEqualTo("fine\n");
    assertThat(healthy.path("Log").get(0).path("Start").asText()).matches("\\d{4}-.*Z");
    assertThat(ok(berth("ps", "--filter", "name=checked", "--format", "{{.Status}}")).stdout().strip())
        .matches("Up .* \\(healthy\\)");
    assertThat(psNames("health=healthy")).isEqualTo("checked");
    if (Files.isExecutable(DOCKER)) {
      assertThat(docker("ps", "--filter", "name=checked", "--format", "{{.Status}}").stdout().strip())
          .matches("Up .* \\(healthy\\)");
    }

    ok(berth("exec", "checked", "rm", "/ok"));
    assertThat(healthIs("checked", "unhealthy")).isTrue();
    assertThat(Integer.parseInt(inspect("{{.State.Health.FailingStreak}}", "checked"))).isGreaterThanOrEqualTo(2);
    assertThat(psNames("health=unhealthy")).isEqualTo("checked");
    assertThat(psNames("health=healthy")).isEmpty();
    assertThat(ok(berth("ps", "--filter", "name=checked", "--format", "{{.Status}}")).stdout().strip())
        .matches("Up .* \\(unhealthy\\)");
    assertThat(Poll.until(WAIT, () -> health("checked").path("Log").size() == 5))
        .as("the log keeps the last five").isTrue();

    String events = ok(berth("events", "--since", "0", "--until", String.valueOf(Instant.now().getEpochSecond()),
        "--filter", "container=checked", "--format", "{{.Action}}")).stdout();
    assertThat(events).contains("health_status: healthy").contains("health_status: unhealthy")
        .contains("exec_create: /bin/sh -c test -f /ok && echo fine")
        .contains("exec_start: /bin/sh -c test -f /ok && echo fine").contains("exec_die");
    assertThat(berth("ps", "--filter", "health=bogus").stderr()).contains("Unrecognised filter value for health: bogus");
  }

  @Test
  void aHungCheckIsKilledAtItsTimeout() {
    ok(berth("run", "-d", "--name", "hung", "--health-cmd", "sleep 317", "--health-interval", "5s",
        "--health-timeout", "1s", "--health-retries", "1", image, "sleep", "1000"));
    assertThat(healthIs("hung", "unhealthy")).isTrue();
    JsonNode first = health("hung").path("Log").get(0);
    assertThat(first.path("ExitCode").asInt()).isEqualTo(-1);
    assertThat(first.path("Output").asText()).isEqualTo("Health check exceeded timeout (1s)");
    // The next check starts 5 s after this one: until then no check process may be left.
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").equals("sleep 317"))
        .count()).isZero();
  }

  @Test
  void checksRunInARunnerThatShowsInTopAndNeverHoldsUpAStop() {
    ok(berth("run", "-d", "--name", "runner", "--health-cmd", "true", "--health-interval", "1s", image, "sh", "-c",
        "trap 'exit 3' TERM; while :; do sleep 0.2; done"));
    assertThat(healthIs("runner", "healthy")).isTrue();
    // decision 2300: one runner per container forks the checks; it is a process of the container
    assertThat(ok(berth("top", "runner")).stdout()).contains("/proc/self/fd/3 berth-health-runner");
    long before = System.nanoTime();
    ok(berth("stop", "-t", "30", "runner"));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).as("the stop signal ends it, nothing waits for the runner")
        .isLessThan(Duration.ofSeconds(10));
    assertThat(inspect("{{.State.ExitCode}}", "runner")).as("its own exit, not a kill").isEqualTo("3");
  }

  @Test
  void noHealthcheckShowsNoHealthAndBadValuesAreRefused() {
    ok(berth("create", "--name", "plain", "--no-healthcheck", image, "sleep", "1000"));
    assertThat(inspect("{{json .Config.Healthcheck}}", "plain")).isEqualTo("{\"Test\":[\"NONE\"]}");
    assertThat(inspect("{{json .State.Health}}", "plain")).isIn("null", "");
    assertThat(ok(berth("ps", "-a", "--filter", "health=none", "--format", "{{.Names}}")).stdout()).contains("plain");
    assertThat(berth("create", "--health-cmd", "true", "--health-interval", "1us", image, "true").stderr())
        .contains("Interval in Healthcheck cannot be less than 1ms");
    assertThat(berth("create", "--no-healthcheck", "--health-cmd", "true", image, "true").stderr())
        .contains("--no-healthcheck conflicts with --health-* options");
  }

  @Test
  void checksResumeAfterABerthdCrash() {
    ok(berth("run", "-d", "--name", "resumed", "--health-cmd", "test -f /ok", "--health-interval", "1s",
        "--health-retries", "1", image, "sh", "-c", "touch /ok; exec sleep 1000"));
    assertThat(healthIs("resumed", "healthy")).isTrue();
    daemon.kill();
    daemon.close();
    daemon = env.startAgain();
    assertThat(inspect("{{.State.Health.Status}}", "resumed")).as("kept across the crash").isEqualTo("healthy");
    ok(berth("exec", "resumed", "rm", "/ok"));
    assertThat(healthIs("resumed", "unhealthy")).as("the checks go on").isTrue();
  }

  private static ProcessResult docker(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Map.of("DOCKER_HOST", daemon.host(), "DOCKER_CONFIG",
        Files.createDirectories(dir.resolve("docker-config")).toString()), Duration.ofMinutes(1));
  }
}
