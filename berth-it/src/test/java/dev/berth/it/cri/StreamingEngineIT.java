package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.daemon.cri.streaming.AttachTarget;
import dev.berth.daemon.cri.streaming.ExecTarget;
import dev.berth.daemon.cri.streaming.PortForwardTarget;
import dev.berth.testkit.Poll;
import dev.berth.testkit.cri.StreamClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming server over a real engine (runc, conmon, network namespaces), driven by our own
 * Netty-based client (testkit's StreamClient); {@code KubectlStreamingIT} drives it with a Go client.
 */
@Tag("integration")
class StreamingEngineIT {
  private static final String V4 = "v4.channel.k8s.io";

  @TempDir
  static Path dir;

  static StreamingEngine h;
  static StreamClient client;
  static String sleeper;

  @BeforeAll
  static void start() throws IOException {
    h = StreamingEngine.start(dir);
    client = new StreamClient();
    sleeper = h.run("sleeper", false, false, "sleep", "3600");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (h != null) {
      h.close();
    }
  }

  @Test
  void execPassesStdinOutputAndTheExitCode() throws IOException {
    var url = h.server.execUrl(new ExecTarget(sleeper, List.of("sh", "-c", "cat; echo to-stderr >&2; exit 3"),
        false, true, true, true));
    StreamClient.SpdySession s = client.spdy(url, List.of(V4)).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    StreamClient.Stream stderr = s.open(Map.of("streamType", "stderr"));
    stdin.write("from the client\n");
    assertThat(stdout.awaitContaining("from the client\n")).isEqualTo("from the client\n");
    stdin.closeWrite();
    assertThat(stdout.readAll()).isEqualTo("from the client\n");
    assertThat(stderr.readAll()).isEqualTo("to-stderr\n");
    assertThat(error.readAll()).isEqualTo("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated "
        + "with non-zero exit code: error executing command [sh -c cat; echo to-stderr >&2; exit 3], exit code 3\","
        + "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}");
  }

  @Test
  void execWithoutStdinSeesItsEndAtOnce() throws IOException {
    var url = h.server.execUrl(new ExecTarget(sleeper, List.of("sh", "-c", "cat; echo done"), false, false, true,
        false));
    StreamClient.SpdySession s = client.spdy(url, List.of(V4)).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    assertThat(stdout.readAll()).isEqualTo("done\n");
    assertThat(error.readAll()).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
  }

  @Test
  void aTtyExecGetsTheClientsTerminalSize() throws IOException {
    var url = h.server.execUrl(new ExecTarget(sleeper, List.of("sh"), true, true, true, false));
    StreamClient.SpdySession s = client.spdy(url, List.of(V4)).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    StreamClient.Stream resize = s.open(Map.of("streamType", "resize"));
    resize.write("{\"Width\":123,\"Height\":45}");
    // The size travels on its own stream, beside the input: the shell waits for it.
    stdin.write("while [ \"$(stty size 2>/dev/null)\" != '45 123' ]; do sleep 0.1; done; echo resized-$(stty size|tr ' ' x)\n");
    assertThat(stdout.awaitContaining("resized-45x123")).contains("resized-45x123");
    stdin.write("exit 7\n");
    assertThat(error.readAll()).contains("\"reason\":\"NonZeroExitCode\"", "\"message\":\"7\"");
  }

  @Test
  void attachConnectsToTheContainersOwnProcess() throws IOException {
    // stdinOnce, as a pod's container with stdin_once: the attach's end of input is the container's
    String cat = h.run("attached-cat", false, true, "sh", "-c", "cat; echo stdin-closed");
    var url = h.server.attachUrl(new AttachTarget(cat, false, true, true, true));
    StreamClient.SpdySession s = client.spdy(url, List.of(V4)).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    s.open(Map.of("streamType", "stderr"));
    stdin.write("echoed by the container\n");
    assertThat(stdout.awaitContaining("echoed by the container\n")).isEqualTo("echoed by the container\n");
    stdin.closeWrite();
    assertThat(stdout.readAll()).isEqualTo("echoed by the container\nstdin-closed\n");
    assertThat(error.readAll()).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
  }

  @Test
  void anAttachLetsGoOfTheContainerWhenItsClientGoes() throws IOException {
    String ticker = h.run("ticker", false, false, "sh", "-c", "while true; do echo tick; sleep 0.2; done");
    long before = openSockets();
    var url = h.server.attachUrl(new AttachTarget(ticker, false, false, true, false));
    StreamClient.SpdySession s = client.spdy(url, List.of(V4)).session();
    s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    stdout.awaitContaining("tick\n");
    assertThat(openSockets()).isGreaterThan(before); // this JVM is berthd: conmon's attach socket is ours
    s.close();
    assertThat(Poll.until(Duration.ofSeconds(15), () -> openSockets() <= before))
        .as("conmon's attach socket let go (sockets %d, before %d)", openSockets(), before).isTrue();
    assertThat(h.engine.containers().find(ticker).running()).isTrue();
  }

  /** Sockets open in this JVM (the engine, the streaming server and the test client all run here). */
  private static long openSockets() {
    try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void webSocketV5ExecRunsInTheContainer() throws IOException {
    var url = h.server.execUrl(new ExecTarget(sleeper, List.of("sh", "-c", "read line; echo \"got $line\""), false,
        true, true, true));
    StreamClient.WebSocketSession ws = client.webSocket(url, List.of("v5.channel.k8s.io")).session();
    assertThat(ws.next()).containsExactly(1);
    ws.send(0, "hello\n".getBytes(StandardCharsets.UTF_8));
    ws.send(255, new byte[] {0});
    Map<Integer, String> got = ws.readAllByChannel();
    assertThat(got.get(1)).isEqualTo("got hello\n");
    assertThat(got.get(3)).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
  }

  @Test
  void portForwardReachesAServerOnThePodsLoopback() throws IOException {
    String web = h.run("web", false, false, "sh", "-c",
        "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www");
    for (PortForwardTarget target : List.of(PortForwardTarget.ofContainer(web, List.of()),
        PortForwardTarget.ofNetns(web, h.engine.networks().netnsPath(web), List.of()))) {
      StreamClient.SpdySession s = client.spdy(h.server.portForwardUrl(target), List.of("portforward.k8s.io"))
          .session();
      // httpd may still be starting: a refused connect comes back on the error stream, try again
      String[] answer = new String[1];
      int[] request = {0};
      assertThat(Poll.until(Duration.ofSeconds(20), () -> {
        try {
          String id = Integer.toString(request[0]++);
          StreamClient.Stream error = s.open(Map.of("streamType", "error", "port", "8080", "requestID", id));
          StreamClient.Stream data = s.open(Map.of("streamType", "data", "port", "8080", "requestID", id));
          data.write("GET / HTTP/1.0\r\n\r\n");
          data.closeWrite();
          answer[0] = data.readAll();
          return error.readAll().isEmpty() && answer[0].contains("hello-from-the-pod");
        } catch (IOException e) {
          return false;
        }
      })).as("the page through the forward; last answer: %s", answer[0]).isTrue();
      assertThat(answer[0]).startsWith("HTTP/1.");
      s.close();
    }
  }
}
