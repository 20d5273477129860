package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each limit of {@link HttpLimits} against the real server, with small limits and raw sockets. */
class ApiServerLimitsTest {
  private static final Duration HEAD_TIMEOUT = Duration.ofMillis(800);
  private static final HttpLimits LIMITS = new HttpLimits(1024, 2048, 1024, HEAD_TIMEOUT, 3);

  private ApiServer server;
  private int port;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Router router = new Router()
        .get("/_ping", (req, res) -> res.text(200, "text/plain", "OK"))
        .post("/echo", (req, res) -> res.json(201, req.jsonBody(Map.class)))
        .post("/count", (req, res) -> res.json(200, Map.of("bytes", req.body().transferTo(OutputStream.nullOutputStream()))))
        .post("/shout", (req, res) -> {
          RawStream raw = res.hijack("application/vnd.docker.raw-stream");
          byte[] in = raw.input().readAllBytes();
          raw.output().write(new String(in, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        });
    server = new ApiServer(new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"), new ApiServer.Options(null, null, LIMITS));
    port = ((ListenAddress.Tcp) server.listen("tcp://127.0.0.1:0")).port();
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    server.stop(Duration.ofSeconds(1));
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** Everything until the server closes the connection. */
  private static String readToEnd(Socket s) throws IOException {
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** One response with a Content-Length body, the connection left open. */
  private static String readResponse(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.UTF_8);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void aTooLongRequestLineIs414InDockersErrorShape() throws Exception {
    Socket s = connect();
    send(s, "GET /_ping?q=" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    String answer = readToEnd(s);
    assertThat(answer).startsWith("HTTP/1.1 414 ").containsIgnoringCase("Content-Type: application/json")
        .contains("{\"message\":\"request line longer than 1024 bytes");
  }

  @Test
  void tooManyHeaderBytesAre431() throws Exception {
    Socket s = connect();
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      headers.append("X-Filler-").append(i).append(": ").append("b".repeat(100)).append("\r\n");
    }
    send(s, "GET /_ping HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
    assertThat(readToEnd(s)).startsWith("HTTP/1.1 431 ")
        .contains("{\"message\":\"request headers longer than 2048 bytes in all\"}");
  }

  @Test
  void aJsonBodyOverTheLimitIs413AndTheConnectionCloses() throws Exception {
    Socket announced = connect();
    send(announced, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n");
    assertThat(readToEnd(announced)).startsWith("HTTP/1.1 413 ").containsIgnoringCase("Connection: close")
        .contains("request body of 5000 bytes is larger than the 1024 bytes a JSON body may have");

    Socket chunked = connect();
    String big = "{\"k\":\"" + "c".repeat(3000) + "\"}";
    send(chunked, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");
    assertThat(readToEnd(chunked)).startsWith("HTTP/1.1 413 ")
        .contains("request body is larger than the 1024 bytes a JSON body may have");

    Socket small = connect();
    send(small, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"k\":1}\n");
    assertThat(readResponse(small)).startsWith("HTTP/1.1 201 ").endsWith("{\"k\":1}\n");
  }

  @Test
  void streamedBodiesAreNotBoundByTheJsonLimit() throws Exception {
    Socket s = connect();
    int size = 1_000_000;
    send(s, "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
    s.getOutputStream().write(new byte[size]);
    assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ").endsWith("{\"bytes\":" + size + "}\n");
  }

  @Test
  void aClientThatStallsBeforeTheEndOfTheHeadIsDisconnected() throws Exception {
    Socket silent = connect();
    Socket partial = connect();
    send(partial, "GET /_ping HTTP/1.1\r\nHost: x\r\n");
    long started = System.nanoTime();
    assertThat(silent.getInputStream().read()).isEqualTo(-1);
    assertThat(partial.getInputStream().read()).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aBodyInProgressAnIdleKeepAliveAndAHijackedConnectionAreNotTimed() throws Exception {
    Socket slowBody = connect();
    send(slowBody, "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
    Socket idle = connect();
    send(idle, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(idle)).startsWith("HTTP/1.1 200 ");
    Socket hijacked = connect();
    send(hijacked, "POST /shout HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n");
    assertThat(readResponse(hijacked)).startsWith("HTTP/1.1 101 ");

    // Three times the head timeout passes with nothing said on any of them.
    slowBody.setSoTimeout((int) HEAD_TIMEOUT.toMillis() * 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> slowBody.getInputStream().read())
        .isInstanceOf(SocketTimeoutException.class);

    send(slowBody, "67890");
    assertThat(readResponse(slowBody)).startsWith("HTTP/1.1 200 ").endsWith("{\"bytes\":10}\n");
    send(idle, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(idle)).startsWith("HTTP/1.1 200 ").endsWith("OK");
    send(hijacked, "still here");
    hijacked.shutdownOutput();
    assertThat(readToEnd(hijacked)).isEqualTo("STILL HERE");
  }

  @Test
  void connectionsBeyondTheCapAre503UntilOneCloses() throws Exception {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket s = connect();
      send(s, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ");
      held.add(s);
    }
    Socket fourth = connect();
    send(fourth, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readToEnd(fourth)).startsWith("HTTP/1.1 503 ").containsIgnoringCase("Content-Type: application/json")
        .contains("{\"message\":\"berthd is serving its limit of 3 connections; try again when some have closed");

    held.getFirst().close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.openConnections() > 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the close is counted on the event loop; bounded by the deadline
    }
    Socket again = connect();
    send(again, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(again)).startsWith("HTTP/1.1 200 ");
  }
}
