package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonAddress;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * berthd's own run endpoint ({@code POST /berth/v1/containers/run}, what {@code berth run} uses):
 * one request that creates, attaches, starts and waits, its output in Docker's frames and its
 * status in the last frame, and what a run leaves (or does not) after each kind of ending.
 */
@Tag("integration")
class RunEndpointIT extends BusyboxDaemonTest {

  @AfterEach
  void removeContainers() {
    for (String id : ok(berth("ps", "-aq", "--no-trunc")).stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth("rm", "-f", id);
    }
  }

  private static DaemonClient client() {
    return new DaemonClient(new DaemonAddress.Unix(daemon.socket()), BerthCli.API_VERSION);
  }

  private static byte[] body(String json) {
    return json.replace("IMAGE", image).getBytes(StandardCharsets.UTF_8);
  }

  /** What came through the run's stream: stdout, stderr, and the status frame (which must come). */
  record Streams(String stdout, String stderr, String status) {}

  private static Streams read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    byte[] header = new byte[8];
    while (in.readNBytes(header, 0, 8) == 8) {
      int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
      byte[] data = in.readNBytes(size);
      switch (header[0]) {
        case 1 -> out.write(data);
        case 2 -> err.write(data);
        case 3 -> {
          return new Streams(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
              new String(data, StandardCharsets.UTF_8));
        }
        default -> throw new AssertionError("unexpected stream " + header[0]);
      }
    }
    throw new AssertionError("the stream ended without a status frame; stdout: " + out + ", stderr: " + err);
  }

  @Test
  void oneRequestRunsTheContainerAndEndsWithItsExitStatus() throws Exception {
    Streams s;
    String id;
    try (DaemonClient.RawConnection conn = client().upgradeUnversioned("POST", "/berth/v1/containers/run?name=once",
        body("{\"Image\":\"IMAGE\",\"Cmd\":[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]}"))) {
      id = conn.header("X-Berth-Container-Id");
      s = read(conn.input());
    }
    assertThat(s.stdout()).isEqualTo("out\n");
    assertThat(s.stderr()).isEqualTo("err\n");
    assertThat(Json.parse(s.status()).path("StatusCode").asInt()).isEqualTo(3);
    // Without AutoRemove the container stays, exited with that code, under the ID the header named.
    assertThat(id).matches("[0-9a-f]{64}");
    assertThat(ok(berth("inspect", "--format", "{{.Id}} {{.State.Status}} {{.State.ExitCode}}", "once")).stdout())
        .isEqualTo(id + " exited 3\n");
  }

  @Test
  void withAutoRemoveTheContainerIsGoneWhenTheStatusComes() throws Exception {
    try (DaemonClient.RawConnection conn = client().upgradeUnversioned("POST", "/berth/v1/containers/run",
        body("{\"Image\":\"IMAGE\",\"Cmd\":[\"echo\",\"hi\"],\"HostConfig\":{\"AutoRemove\":true}}"))) {
      Streams s = read(conn.input());
      assertThat(s.stdout()).isEqualTo("hi\n");
      assertThat(Json.parse(s.status()).path("StatusCode").asInt()).isZero();
    }
    assertThat(ok(berth("ps", "-aq")).stdout()).isEmpty();
  }

  @Test
  void aStartThatFailsIsReportedInTheStreamAndTheCliExits127() throws Exception {
    try (DaemonClient.RawConnection conn = client().upgradeUnversioned("POST", "/berth/v1/containers/run?name=broken",
        body("{\"Image\":\"IMAGE\",\"Cmd\":[\"nope\"]}"))) {
      Streams s = read(conn.input());
      assertThat(Json.parse(s.status()).path("StartError").asText())
          .contains("exec: \"nope\": executable file not found in $PATH");
    }
    assertThat(ok(berth("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "broken")).stdout())
        .isEqualTo("exited 127\n");

    ProcessResult cli = berth("run", "--rm", image, "nope");
    assertThat(cli.exitCode()).isEqualTo(127);
    assertThat(cli.stderr()).contains("Error response from daemon:").contains("executable file not found");
    // --rm: the failed container goes too (as the one above, without --rm, stays).
    assertThat(Poll.until(Duration.ofSeconds(10), () -> berth("ps", "-aq").stdout().lines().count() == 1)).isTrue();
  }

  @Test
  void aRequestThatCannotCreateLeavesNothing() throws Exception {
    DaemonClient client = client();
    assertThatThrownBy(() -> client.upgradeUnversioned("POST", "/berth/v1/containers/run", new byte[0]))
        .isInstanceOf(DaemonException.class).hasMessageContaining("request body is empty")
        .extracting(e -> ((DaemonException) e).status()).isEqualTo(400);
    assertThatThrownBy(() -> client.upgradeUnversioned("POST", "/berth/v1/containers/run",
        body("{\"Image\":\"no-such-image:1\"}")))
        .isInstanceOf(DaemonException.class).hasMessageContaining("No such image")
        .extracting(e -> ((DaemonException) e).status()).isEqualTo(404);
    assertThatThrownBy(() -> client.upgradeUnversioned("POST", "/berth/v1/containers/run?detachKeys=ctrl-",
        body("{\"Image\":\"IMAGE\"}")))
        .isInstanceOf(DaemonException.class).hasMessageContaining("Invalid detach keys")
        .extracting(e -> ((DaemonException) e).status()).isEqualTo(400);
    assertThat(ok(berth("ps", "-aq")).stdout()).isEmpty();

    ok(berth("create", "--name", "taken", image, "true"));
    ProcessResult again = berth("run", "--rm", "--name", "taken", image, "true");
    assertThat(again.exitCode()).isEqualTo(125);
    assertThat(again.stderr()).contains("The container name \"/taken\" is already in use");
    assertThat(ok(berth("ps", "-aq")).stdout().lines().count()).isEqualTo(1);
  }

  @Test
  void theDetachKeysOnStdinLeaveTheContainerRunning() throws Exception {
    Path keys = dir.resolve("detach-keys");
    Files.write(keys, new byte[] {0x10, 0x11}); // ctrl-p ctrl-q
    ProcessResult r = Commands.run(Commands.berthCommand(daemon.host(), "run", "-i", "--name", "stays", image,
        "sleep", "60"), Map.of(), keys, Duration.ofSeconds(30));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ok(berth("inspect", "--format", "{{.State.Running}}", "stays")).stdout()).isEqualTo("true\n");
  }
}
