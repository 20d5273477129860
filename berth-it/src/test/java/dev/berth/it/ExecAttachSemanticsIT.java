package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonAddress;
import dev.berth.cli.client.DaemonClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a client notices of issue 14's exec, kill and attach semantics: an exec's detach keys end
 * the client's stream while the process runs on; kill answers once the container is recorded
 * exited with 137; attach with stream=0 answers at once with the log replayed.
 */
@Tag("integration")
class ExecAttachSemanticsIT extends BusyboxDaemonTest {

  private static DaemonClient client() {
    return new DaemonClient(new DaemonAddress.Unix(daemon.socket()), BerthCli.API_VERSION);
  }

  @Test
  void theDetachKeysOfAnExecEndTheStreamAndTheProcessRunsOn() throws Exception {
    ok(berth("run", "-d", "--name", "det", "--network", "none", image, "sleep", "600"));
    JsonNode created = client().json("POST", "/containers/det/exec", Map.of("Cmd", java.util.List.of("cat"),
        "AttachStdin", true, "AttachStdout", true, "DetachKeys", "ctrl-x,y"));
    String execId = created.path("Id").asText();
    try (DaemonClient.RawConnection conn = client().upgrade("POST", "/exec/" + execId + "/start",
        "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8))) {
      conn.output().write("hello\n".getBytes(StandardCharsets.UTF_8));
      conn.output().flush();
      byte[] header = conn.input().readNBytes(8); // cat's echo: one stdout frame
      assertThat(header[0]).isEqualTo((byte) 1);
      assertThat(new String(conn.input().readNBytes(header[7]), StandardCharsets.UTF_8)).isEqualTo("hello\n");
      conn.output().write(new byte[] {0x18, 'y'});
      conn.output().flush();
      CompletableFuture<byte[]> rest = CompletableFuture.supplyAsync(() -> {
        try {
          return conn.input().readAllBytes();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(rest.get(10, TimeUnit.SECONDS)).isEmpty(); // the stream ended: detached
    }
    assertThat(client().json("GET", "/exec/" + execId + "/json", null).path("Running").asBoolean()).isTrue();
    ok(berth("rm", "-f", "det"));
  }

  @Test
  void killAnswersOnceTheContainerIsRecordedExited() {
    for (int i = 0; i < 3; i++) {
      ok(berth("run", "-d", "--name", "k" + i, "--network", "none", image, "sleep", "600"));
      client().json("POST", "/containers/k" + i + "/kill", null);
      JsonNode state = client().json("GET", "/containers/k" + i + "/json", null).path("State");
      assertThat(state.path("Status").asText()).isEqualTo("exited");
      assertThat(state.path("ExitCode").asInt()).isEqualTo(137);
      ok(berth("rm", "k" + i));
    }
  }

  @Test
  void attachWithoutStreamAnswersAtOnceWithTheLog() throws Exception {
    ok(berth("run", "-d", "--name", "att", "--network", "none", image, "sh", "-c", "echo replayed; sleep 600"));
    assertThat(dev.berth.testkit.Poll.until(Duration.ofSeconds(10),
        () -> berth("logs", "att").stdout().contains("replayed"))).isTrue();
    long t0 = System.nanoTime();
    try (DaemonClient.RawConnection conn = client().upgrade("POST",
        "/containers/att/attach?stream=0&logs=1&stdout=1&stderr=1", null)) {
      byte[] all = conn.input().readAllBytes();
      assertThat(new String(all, StandardCharsets.UTF_8)).contains("replayed");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    ok(berth("rm", "-f", "att"));
  }
}
