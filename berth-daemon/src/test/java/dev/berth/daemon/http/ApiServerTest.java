package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Netty server on a loopback port and a unix socket; no root needed. */
class ApiServerTest {
  @TempDir
  Path dir;

  private ApiServer server;
  private URI base;
  private Path socket;
  private final HttpClient http = HttpClient.newHttpClient();
  private final java.util.concurrent.CountDownLatch hungUp = new java.util.concurrent.CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    Router router = new Router()
        .get("/_ping", (req, res) -> res.text(200, "text/plain", "OK"))
        .head("/_ping", (req, res) -> res.text(200, "text/plain", "OK"))
        .post("/echo", (req, res) -> res.json(201, req.jsonBody(Map.class)))
        .post("/count", (req, res) -> res.json(200, Map.of("bytes", req.body().transferTo(OutputStream.nullOutputStream()))))
        .get("/query", (req, res) -> res.json(200, Map.of("all", req.query("all").orElse(""))))
        .get("/number", (req, res) -> res.json(200, Map.of("n", req.queryNumber("n").orElse(-7L))))
        .get("/stream", (req, res) -> {
          try (OutputStream out = res.stream(200, "application/json")) {
            for (int i = 0; i < 3; i++) {
              out.write(("{\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
            }
          }
        })
        .post("/until-hang-up", (req, res) -> {
          var told = new java.util.concurrent.CountDownLatch(1);
          try (AutoCloseable listener = res.onHangUp(told::countDown)) {
            if (told.await(10, java.util.concurrent.TimeUnit.SECONDS) && !res.connected()) {
              hungUp.countDown();
            }
          }
          res.empty(204);
        })
        .post("/shout", (req, res) -> {
          RawStream raw = res.hijack("application/vnd.docker.raw-stream");
          byte[] in = raw.input().readAllBytes();
          raw.output().write(new String(in, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        });
    server = new ApiServer(new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"));
    ListenAddress.Tcp tcp = (ListenAddress.Tcp) server.listen("tcp://127.0.0.1:0");
    base = URI.create("http://127.0.0.1:" + tcp.port());
    socket = dir.resolve("api.sock");
    server.listen("unix://" + socket);
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(Duration.ofSeconds(1));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientThatClosesWhileARouteRunsIsSeenAsGone() throws Exception {
    // a build or an event stream may write nothing for long; dockerd cancels at the client's EOF
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap("POST /until-hang-up HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII)));
    }
    assertThat(hungUp.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void pingCarriesDockersHeaders() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/_ping")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("OK");
    assertThat(r.headers().firstValue("Api-Version")).contains("1.51");
    assertThat(r.headers().firstValue("Ostype")).contains("linux");
    assertThat(r.headers().firstValue("Server")).contains("Berth/test (linux)");
  }

  @Test
  void headAnswersWithoutABody() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/_ping")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void oneConnectionServesManyRequests() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(send(HttpRequest.newBuilder(base.resolve("/v1.44/_ping"))).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void jsonBodyRoundTripsAndBrokenJsonIs400WithTheParseError() throws Exception {
    HttpResponse<String> ok = send(HttpRequest.newBuilder(base.resolve("/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"Image\":\"busybox\"}")));
    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(ok.body()).contains("\"Image\":\"busybox\"");

    HttpResponse<String> bad = send(HttpRequest.newBuilder(base.resolve("/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"Image\": busybox")));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("invalid JSON in request body").contains("busybox");

    // The daemon keeps serving after the error.
    assertThat(send(HttpRequest.newBuilder(base.resolve("/_ping"))).statusCode()).isEqualTo(200);
  }

  @Test
  void largeUploadsStreamThrough() throws Exception {
    byte[] big = new byte[8 * 1024 * 1024];
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/count"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(r.body()).contains("\"bytes\":" + big.length);
  }

  @Test
  void streamedResponsesArriveChunked() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/stream")));
    assertThat(r.headers().firstValue("Transfer-Encoding")).contains("chunked");
    assertThat(r.body()).isEqualTo("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  }

  @Test
  void brokenPercentEscapesInPathOrQueryAre400sWithAMessage() throws Exception {
    String query = rawExchange("GET /query?all=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
    assertThat(query).startsWith("HTTP/1.1 400").contains("{\"message\":\"invalid URL escape in the query: ");
    String path = rawExchange("GET /nope%2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
    assertThat(path).startsWith("HTTP/1.1 4").contains("{\"message\":");
    assertThat(rawExchange("GET /query?all=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null))
        .startsWith("HTTP/1.1 200").contains("{\"all\":\"1\"}");
  }

  @Test
  void aQueryNumberThatIsNoNumberIsA400() throws Exception {
    assertThat(rawExchange("GET /number?n=%24%28id%29 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null))
        .startsWith("HTTP/1.1 400").contains("invalid value for query parameter n: \\\"$(id)\\\" is not a whole number");
    assertThat(rawExchange("GET /number?n=42 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null))
        .contains("{\"n\":42}");
    assertThat(rawExchange("GET /number?n= HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null))
        .contains("{\"n\":-7}");
  }

  @Test
  void unknownRoutesAre404OverTheUnixSocketToo() throws Exception {
    String response = rawExchange("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
    assertThat(response).startsWith("HTTP/1.1 404").contains("{\"message\":\"page not found\"}");
  }

  @Test
  void hijackUpgradesToARawDuplexStream() throws Exception {
    String response = rawExchange("POST /shout HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n",
        "hello berth");
    assertThat(response).startsWith("HTTP/1.1 101 UPGRADED\r\n");
    assertThat(response).contains("Content-Type: application/vnd.docker.raw-stream");
    assertThat(response).endsWith("\r\n\r\nHELLO BERTH");
  }

  @Test
  void hijackWithoutUpgradeHeaderAnswers200ThenRaw() throws Exception {
    String response = rawExchange("POST /shout HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "quiet");
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nQUIET");
  }

  @Test
  void socketIsGroupReadableOnlyAndRemovedAtStop() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
    server.stop(Duration.ZERO);
    assertThat(socket).doesNotExist();
    server = new ApiServer(new Dispatcher(new Router(), ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("x", "1.51", "linux"));
  }

  @Test
  void socketFileBelongsToTheConfiguredGroup() throws Exception {
    java.nio.file.attribute.GroupPrincipal nogroup = dir.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByGroupName("65534");
    ApiServer grouped = new ApiServer(new Dispatcher(new Router(), ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"), new ApiServer.Options(null, nogroup));
    Path grouped1 = dir.resolve("grouped.sock");
    try {
      grouped.listen("unix://" + grouped1);
      assertThat(Files.readAttributes(grouped1, java.nio.file.attribute.PosixFileAttributes.class).group())
          .isEqualTo(nogroup);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(grouped1))).isEqualTo("rw-rw----");
    } finally {
      grouped.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void staleSocketFileIsReplacedButALiveOneIsRefused() throws Exception {
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      old.bind(UnixDomainSocketAddress.of(stale));
    }
    assertThat(stale).exists(); // closed, but the file stays, as after a crash
    server.listen("unix://" + stale);
    assertThat(rawExchangeOn(stale, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null)).endsWith("OK");

    Path live = dir.resolve("live.sock");
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(live));
      assertThatThrownBy(() -> server.listen("unix://" + live))
          .isInstanceOf(IOException.class).hasMessageContaining("in use by another process");
    }
  }

  @Test
  void stopLetsARequestInFlightFinishButRefusesNewConnections() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Router router = new Router().get("/slow", (req, res) -> {
      entered.countDown();
      release.await();
      res.text(200, "text/plain", "finished");
    });
    ApiServer slow = new ApiServer(new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("x", "1.51", "linux"));
    Path sock = dir.resolve("slow.sock");
    slow.listen("unix://" + sock);
    var reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return rawExchangeOn(sock, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    entered.await();
    assertThat(slow.inFlight().active()).isEqualTo(1);
    Thread stopper = Thread.ofVirtual().start(() -> {
      try {
        slow.stop(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    // The listener closes first: the socket file goes away while the request still runs.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (Files.exists(sock) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(sock).doesNotExist();
    assertThat(stopper.isAlive()).isTrue();
    release.countDown();
    assertThat(reply.get()).startsWith("HTTP/1.1 200").endsWith("finished");
    stopper.join();
  }

  private String rawExchange(String head, String payload) throws IOException {
    return rawExchangeOn(socket, head, payload);
  }

  /** Sends bytes, half-closes, and reads until the server closes. */
  private static String rawExchangeOn(Path socket, String head, String payload) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      InputStream in = Channels.newInputStream(ch);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      if (payload != null) {
        // Like the docker CLI: wait for the answer's header before sending raw bytes.
        while (!got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          got.write(b);
        }
        ch.write(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
        ch.shutdownOutput();
      }
      in.transferTo(got);
      return got.toString(StandardCharsets.UTF_8);
    }
  }
}
