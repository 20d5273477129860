package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docker-compose 1.29 (Debian's) against berthd: a service waits for another's health
 * ({@code depends_on: condition: service_healthy}), restarts on failure, and {@code down -v}
 * leaves no container, volume or network behind.
 */
@Tag("integration")
class ComposeHealthIT extends BusyboxDaemonTest {
  private static final Path COMPOSE = Path.of("/usr/bin/docker-compose");

  private static ProcessResult compose(Path project, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(COMPOSE.toString(), "-p", "hc", "-f",
        project.resolve("docker-compose.yml").toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Map.of("DOCKER_HOST", daemon.host(), "COMPOSE_INTERACTIVE_NO_CLI", "1"),
        Duration.ofMinutes(3));
  }

  @Test
  void anAppWaitsForItsDatabaseToBeHealthyRestartsOnFailureAndDownLeavesNothing() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(COMPOSE), "docker-compose is not at " + COMPOSE);
    Path project = Files.createDirectories(dir.resolve("compose"));
    Files.writeString(project.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          db:
            image: %1$s
            command: sh -c "sleep 2; touch /ready; exec sleep 1000"
            healthcheck:
              test: ["CMD-SHELL", "test -f /ready"]
              interval: 1s
              retries: 30
          app:
            image: %1$s
            command: sh -c "test -f /ran-once || { touch /ran-once; exit 1; }; exec sleep 1000"
            restart: on-failure
            volumes:
              - data:/data
            depends_on:
              db:
                condition: service_healthy
        volumes:
          data: {}
        """.formatted(image));
    try {
      ProcessResult up = compose(project, "up", "-d");
      assertThat(up.exitCode()).as(up.toString()).isZero();
      assertThat(ok(berth("inspect", "-f", "{{.State.Health.Status}}", "hc_db_1")).stdout().strip())
          .as("app was created only once db was healthy").isEqualTo("healthy");
      assertThat(dev.berth.testkit.Poll.until(Duration.ofSeconds(30), () -> ok(berth("inspect", "-f",
          "{{.State.Status}} {{.RestartCount}}", "hc_app_1")).stdout().strip().equals("running 1")))
          .as("the app failed once and was restarted").isTrue();
    } finally {
      ProcessResult down = compose(project, "down", "-v");
      assertThat(down.exitCode()).as(down.toString()).isZero();
    }
    assertThat(ok(berth("ps", "-aq")).stdout()).isBlank();
    assertThat(ok(berth("volume", "ls", "-q")).stdout()).doesNotContain("hc_data");
    assertThat(ok(berth("network", "ls", "--format", "{{.Name}}")).stdout()).doesNotContain("hc_default");
  }
}
