package dev.berth.daemon.cri.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.testkit.Poll;
import dev.berth.testkit.cri.StreamClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streaming server's protocols, driven by our own Netty-based client (testkit's StreamClient)
 * against a backend of small Java programs. Real clients (crictl) are driven in berth-it.
 */
class StreamingServerTest {
  private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

  private final FakeBackend backend = new FakeBackend();
  private StreamingServer server;
  private StreamClient client;

  @BeforeEach
  void start() throws IOException {
    server = StreamingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backend);
    client = new StreamClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private URI exec(String cmd, boolean tty, boolean stdin, boolean stdout, boolean stderr) {
    return server.execUrl(new ExecTarget("c1", List.of(cmd), tty, stdin, stdout, stderr));
  }

  @Test
  void urlsNameTheBoundAddressAndAFreshToken() {
    URI a = exec("cat", false, true, true, false);
    URI b = exec("cat", false, true, true, false);
    assertThat(a.toString()).matches("http://127\\.0\\.0\\.1:" + server.address().getPort() + "/exec/[A-Za-z0-9_-]{11}");
    assertThat(a).isNotEqualTo(b);
    assertThat(server.attachUrl(new AttachTarget("c1", false, false, true, true)).getPath()).startsWith("/attach/");
    assertThat(server.portForwardUrl(PortForwardTarget.ofContainer("p1", List.of())).getPath())
        .startsWith("/portforward/");
  }

  @Test
  void requestsAreCheckedAsKubeletChecksThem() {
    assertThatThrownBy(() -> exec("cat", true, false, true, true)).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("tty and stderr cannot both be true");
    assertThatThrownBy(() -> exec("cat", false, false, false, false))
        .hasMessage("one of stdin, stdout, or stderr must be set");
    assertThatThrownBy(() -> server.execUrl(new ExecTarget("", List.of("cat"), false, true, true, false)))
        .hasMessage("missing required container_id");
    assertThatThrownBy(() -> server.portForwardUrl(PortForwardTarget.ofContainer("", List.of())))
        .hasMessage("missing required pod_sandbox_id");
  }

  @Test
  void spdyExecCopiesStdinToStdoutAndEndsWithASuccessStatus() throws IOException {
    var up = client.spdy(exec("cat", false, true, true, false), List.of("v4.channel.k8s.io", "v3.channel.k8s.io"));
    assertThat(up.refused()).isNull();
    StreamClient.SpdySession s = up.session();
    assertThat(s.protocol()).isEqualTo("v4.channel.k8s.io");
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    // Go's framer (kubectl, crictl, kubelet) fails on a SYN_REPLY without a header block
    assertThat(List.of(error, stdin, stdout)).allSatisfy(x -> assertThat(x.replyHeaders()).isPositive());
    stdin.write("hello ");
    assertThat(stdout.awaitContaining("hello ")).isEqualTo("hello "); // flows while the process runs
    stdin.write("world");
    stdin.closeWrite(); // the half-close is the process's end of input
    assertThat(stdout.readAll()).isEqualTo("hello world");
    assertThat(error.readAll()).isEqualTo(SUCCESS);
    s.awaitClosed();
  }

  @Test
  void aNonZeroExitIsAStatusWithTheExitCodeInV4AndTextBefore() throws IOException {
    StreamClient.SpdySession v4 = client.spdy(exec("fail", false, false, true, true),
        List.of("v4.channel.k8s.io")).session();
    StreamClient.Stream error = v4.open(Map.of("streamType", "error"));
    v4.open(Map.of("streamType", "stdout"));
    StreamClient.Stream stderr = v4.open(Map.of("streamType", "stderr"));
    assertThat(stderr.readAll()).isEqualTo("oops\n");
    assertThat(error.readAll()).contains("\"status\":\"Failure\"", "\"reason\":\"NonZeroExitCode\"",
        "\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]");

    StreamClient.SpdySession v2 = client.spdy(exec("fail", false, false, true, true),
        List.of("v2.channel.k8s.io")).session();
    StreamClient.Stream error2 = v2.open(Map.of("streamType", "error"));
    v2.open(Map.of("streamType", "stdout"));
    v2.open(Map.of("streamType", "stderr"));
    assertThat(error2.readAll())
        .isEqualTo("command terminated with non-zero exit code: error executing command [fail], exit code 3");
  }

  @Test
  void aCommandThatCannotStartIsAnInternalError() throws IOException {
    StreamClient.SpdySession s = client.spdy(exec("missing", false, false, true, false),
        List.of("v4.channel.k8s.io")).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    s.open(Map.of("streamType", "stdout"));
    assertThat(error.readAll()).contains("\"reason\":\"InternalError\"", "\"code\":500",
        "error executing command in container: exec: \\\"missing\\\": executable file not found in $PATH");
  }

  @Test
  void aTokenIsUsedOnceAndUnknownOnesAre404() throws IOException {
    URI url = exec("cat", false, true, true, false);
    var first = client.spdy(url, List.of("v4.channel.k8s.io"));
    assertThat(first.session()).isNotNull();
    var again = client.spdy(url, List.of("v4.channel.k8s.io"));
    assertThat(again.refused().status()).isEqualTo(404);
    assertThat(again.refused().body()).isEqualTo("404 page not found\n");
    var attachWithExecToken = client.spdy(URI.create(url.toString().replace("/exec/", "/attach/")),
        List.of("v4.channel.k8s.io"));
    assertThat(attachWithExecToken.refused().status()).isEqualTo(404);
    first.session().close();
  }

  @Test
  void anUnknownProtocolIsRefusedWithTheAcceptedOnes() throws IOException {
    var up = client.spdy(exec("cat", false, true, true, false), List.of("v9.channel.k8s.io"));
    assertThat(up.refused().status()).isEqualTo(403);
    assertThat(up.refused().body()).isEqualTo("unable to upgrade: unable to negotiate protocol: client supports "
        + "[v9.channel.k8s.io], server accepts [v5.channel.k8s.io v4.channel.k8s.io v3.channel.k8s.io "
        + "v2.channel.k8s.io channel.k8s.io]\n");
    assertThat(up.refused().headers().get("X-Accepted-Stream-Protocol-Versions")).contains("v4.channel.k8s.io");
  }

  @Test
  void aTtyExecTakesItsSizeFromTheResizeStream() throws IOException {
    StreamClient.SpdySession s = client.spdy(exec("cat", true, true, true, false),
        List.of("v4.channel.k8s.io")).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    s.open(Map.of("streamType", "stdout"));
    StreamClient.Stream resize = s.open(Map.of("streamType", "resize"));
    resize.write("{\"Width\":100,\"Height\":40}");
    resize.write("{\"Width\":120,\"Height\":50}\n");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> backend.resizes.size() == 2)).isTrue();
    assertThat(backend.resizes).containsExactly(new TerminalSize(100, 40), new TerminalSize(120, 50));
    stdin.closeWrite();
    assertThat(error.readAll()).isEqualTo(SUCCESS);
  }

  @Test
  void spdyAttachEndsWithSuccessAndNoExitCode() throws IOException {
    URI url = server.attachUrl(new AttachTarget("c7", false, true, true, true));
    StreamClient.SpdySession s = client.spdy(url, List.of("v4.channel.k8s.io")).session();
    StreamClient.Stream error = s.open(Map.of("streamType", "error"));
    StreamClient.Stream stdin = s.open(Map.of("streamType", "stdin"));
    StreamClient.Stream stdout = s.open(Map.of("streamType", "stdout"));
    s.open(Map.of("streamType", "stderr"));
    stdin.write("attached");
    stdin.closeWrite();
    assertThat(stdout.readAll()).isEqualTo("attached");
    assertThat(error.readAll()).isEqualTo(SUCCESS);
    assertThat(backend.attached).containsExactly("c7");
  }

  @Test
  void webSocketV5ExecAnnouncesItselfAndTakesTheCloseSignal() throws IOException {
    var up = client.webSocket(exec("cat", false, true, true, false),
        List.of("v5.channel.k8s.io", "v4.channel.k8s.io"));
    assertThat(up.refused()).isNull();
    StreamClient.WebSocketSession ws = up.session();
    assertThat(ws.protocol()).isEqualTo("v5.channel.k8s.io");
    assertThat(ws.next()).containsExactly(1); // kubelet's empty message on stdout: ready
    ws.send(0, "over websocket".getBytes(StandardCharsets.UTF_8));
    ws.send(255, new byte[] {0}); // v5: stdin is closed
    Map<Integer, String> got = ws.readAllByChannel();
    assertThat(got.get(1)).isEqualTo("over websocket");
    assertThat(got.get(3)).isEqualTo(SUCCESS);
  }

  @Test
  void anIdleConnectionIsClosed() throws IOException {
    try (StreamingServer quick = StreamingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        backend, java.time.Clock.systemUTC(), Duration.ofSeconds(1))) {
      URI url = quick.execUrl(new ExecTarget("c1", List.of("cat"), false, true, true, false));
      StreamClient.SpdySession s = client.spdy(url, List.of("v4.channel.k8s.io")).session();
      s.open(Map.of("streamType", "error"));
      s.open(Map.of("streamType", "stdin"));
      s.open(Map.of("streamType", "stdout"));
      s.awaitClosed(); // nothing sent either way for a second: closed, as kubelet's idle timeout
      assertThat(s.isClosed()).isTrue();
    }
  }

  @Test
  void webSocketWithAnUnsupportedProtocolIsRefused() throws IOException {
    var up = client.webSocket(exec("cat", false, true, true, false), List.of("base64.channel.k8s.io"));
    assertThat(up.refused().status()).isEqualTo(403);
  }

  @Test
  void spdyPortForwardCarriesBothDirectionsPerStreamPair() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      backend.openPort = listener.getLocalPort();
      Thread echo = Thread.ofVirtual().start(() -> {
        try (Socket c = listener.accept(); InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
          String request = new String(in.readAllBytes(), StandardCharsets.UTF_8); // until the half-close
          out.write(("pong:" + request).getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // the test fails on what the client reads
        }
      });
      URI url = server.portForwardUrl(PortForwardTarget.ofContainer("pod1", List.of()));
      var up = client.spdy(url, List.of("portforward.k8s.io"));
      StreamClient.SpdySession s = up.session();
      assertThat(s.protocol()).isEqualTo("portforward.k8s.io");
      String port = Integer.toString(backend.openPort);
      StreamClient.Stream error = s.open(Map.of("streamType", "error", "port", port, "requestID", "0"));
      StreamClient.Stream data = s.open(Map.of("streamType", "data", "port", port, "requestID", "0"));
      data.write("ping");
      data.closeWrite();
      assertThat(data.readAll()).isEqualTo("pong:ping");
      assertThat(error.readAll()).isEmpty();
      echo.join();

      // a port nobody listens on: the error stream says so, the connection stays up
      StreamClient.Stream error2 = s.open(Map.of("streamType", "error", "port", "9", "requestID", "1"));
      s.open(Map.of("streamType", "data", "port", "9", "requestID", "1"));
      assertThat(error2.readAll()).startsWith("error forwarding port 9 to pod pod1, uid : failed to connect");
      assertThat(s.isClosed()).isFalse();
    }
  }

  @Test
  void portForwardStreamsWithoutAPortAreRefused() throws IOException {
    URI url = server.portForwardUrl(PortForwardTarget.ofContainer("pod1", List.of()));
    StreamClient.SpdySession s = client.spdy(url, List.of("portforward.k8s.io")).session();
    assertThatThrownBy(() -> s.open(Map.of("streamType", "data"))).hasMessageContaining("REFUSED_STREAM");
  }

  @Test
  void webSocketPortForwardPrefixesEachChannelWithItsPort() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      backend.openPort = listener.getLocalPort();
      Thread.ofVirtual().start(() -> {
        try (Socket c = listener.accept()) {
          c.getOutputStream().write("hello from the pod".getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // the test fails on what the client reads
        }
      });
      int port = backend.openPort;
      URI url = server.portForwardUrl(PortForwardTarget.ofContainer("pod1", List.of(port)));
      StreamClient.WebSocketSession ws = client.webSocket(url, List.of("v4.channel.k8s.io")).session();
      byte[] first = ws.next();
      assertThat(first).containsExactly(0, (byte) port, (byte) (port >>> 8));
      ws.send(255, new byte[0]); // ignored outside v5
      ws.close();
    }
  }
}
