package dev.berth.daemon.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.RawStream;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.http.ServerIdentity;
import dev.berth.engine.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on a real loopback listener in front of a small fake API; no root, no engine. */
class ConsoleServerTest {
  @TempDir
  Path dataRoot;

  private Console console;
  private URI base;
  private String token;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Router router = new Router()
        .get("/containers/json", (req, res) -> res.json(200, List.of(Map.of("Id", "c1", "State", "running"))))
        .post("/containers/{id}/stop", (req, res) -> res.empty(204))
        .get("/lines", (req, res) -> {
          try (OutputStream out = res.stream(200, "application/json")) {
            for (int i = 0; i < 3; i++) {
              out.write(("{\"n\":" + i + ",\"q\":\"" + req.query("q").orElse("") + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
          }
        })
        .get("/missing", (req, res) -> {
          throw new BerthException.NotFound("no such thing: missing");
        })
        .post("/shout", (req, res) -> {
          RawStream raw = res.hijack("application/vnd.docker.raw-stream");
          byte[] buf = new byte[256];
          int n;
          InputStream in = raw.input();
          while ((n = in.read(buf)) >= 0) {
            raw.output().write(new String(buf, 0, n, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT)
                .getBytes(StandardCharsets.UTF_8));
          }
        });
    Dispatcher api = new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51"));
    console = Console.start(Console.parseAddress("127.0.0.1:0"), null, dataRoot, api,
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"));
    base = console.url();
    token = Files.readString(dataRoot.resolve("console.token")).strip();
  }

  @AfterEach
  void stop() {
    console.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void everyRouteAnswers401WithoutTheTokenOrWithAWrongOne() throws Exception {
    List<String> paths = List.of("/", "/index.html", "/assets/app.js", "/assets/app.css",
        "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "/webjars/xterm/4.9.0/lib/xterm.js", "/api/containers/json",
        "/api/lines", "/ws/api/lines", "/nowhere", "/?token=wrong");
    for (String path : paths) {
      assertThat(get(path).statusCode()).as("GET " + path).isEqualTo(401);
      assertThat(get(path, "Authorization", "Bearer not-" + token).statusCode()).as("GET " + path + " wrong token")
          .isEqualTo(401);
      assertThat(get(path, "Cookie", ConsoleHandler.COOKIE + "=nope").statusCode()).as("GET " + path + " bad cookie")
          .isEqualTo(401);
    }
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/api/containers/c1/stop"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(401);
    assertThat(post.body()).contains("console token");
    HttpResponse<byte[]> page = get("/");
    assertThat(body(page)).contains("<form").contains("name=\"token\"");
    assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void theTokenFileIsReadableByItsOwnerOnlyAndGoesWithTheConsole() throws Exception {
    Path file = dataRoot.resolve("console.token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(token).hasSizeGreaterThanOrEqualTo(40);
    console.close();
    assertThat(file).doesNotExist();
  }

  @Test
  void theTokenInTheUrlBecomesAStrictHttpOnlyCookieAndLeavesTheUrl() throws Exception {
    HttpResponse<byte[]> login = get("/?token=" + token);
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).contains("/");
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith(ConsoleHandler.COOKIE + "=" + token).contains("HTTPOnly").contains("SameSite=Strict")
        .contains("Path=/").doesNotContain("Secure");
    HttpResponse<byte[]> page = get("/", "Cookie", cookie.split(";")[0]);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(body(page)).contains("/assets/app.js?v=").contains("Berth console");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> v.contains("script-src 'self'"));
  }

  @Test
  void apiCallsReachTheSameRoutesWithTheBearerToken() throws Exception {
    HttpResponse<byte[]> r = get("/api/containers/json", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r)).contains("\"Id\":\"c1\"");
    HttpResponse<String> stop = http.send(HttpRequest.newBuilder(base.resolve("/api/containers/c1/stop"))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(stop.statusCode()).isEqualTo(204);
    HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(base.resolve("/api/containers/c1/stop"))
        .header("Authorization", "Bearer " + token).header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(get("/api/nothing/here", "Authorization", "Bearer " + token).statusCode()).isEqualTo(404);
  }

  @Test
  void versionedFilesAreImmutableGzippedAndRevalidatedByEtag() throws Exception {
    String auth = "Bearer " + token;
    HttpResponse<byte[]> js = get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "Authorization", auth,
        "Accept-Encoding", "gzip");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Cache-Control")).contains(StaticAssets.IMMUTABLE);
    assertThat(js.headers().firstValue("Content-Encoding")).contains("gzip");
    byte[] plain = new GZIPInputStream(new java.io.ByteArrayInputStream(js.body())).readAllBytes();
    assertThat(new String(plain, StandardCharsets.UTF_8)).contains("uPlot");
    assertThat(js.body().length).isLessThan(plain.length / 2);
    String etag = js.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "Authorization", auth, "If-None-Match", etag)
        .statusCode()).isEqualTo(304);
    HttpResponse<byte[]> page = get("/", "Authorization", auth);
    assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
    Matcher v = Pattern.compile("/assets/app.js\\?v=([0-9a-f]+)").matcher(body(page));
    assertThat(v.find()).isTrue();
    assertThat(get("/assets/app.js?v=" + v.group(1), "Authorization", auth).headers().firstValue("Cache-Control"))
        .contains(StaticAssets.IMMUTABLE);
    assertThat(get("/webjars/../dev/berth/daemon/console/Console.class", "Authorization", auth).statusCode())
        .isEqualTo(404);
  }

  @Test
  void everyFileThePageAndScriptNameIsServed() throws Exception {
    String auth = "Bearer " + token;
    String all = body(get("/", "Authorization", auth)) + body(get("/assets/app.js", "Authorization", auth));
    Matcher m = Pattern.compile("/(?:webjars|assets)/[A-Za-z0-9._/-]+\\.(?:js|css)").matcher(all);
    int found = 0;
    while (m.find()) {
      found++;
      assertThat(get(m.group(), "Authorization", auth).statusCode()).as(m.group()).isEqualTo(200);
    }
    assertThat(found).isGreaterThanOrEqualTo(6);
  }

  /** Collects a WebSocket's messages and its close. */
  private static final class Collector implements WebSocket.Listener {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile String reason;

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      synchronized (bytes) {
        bytes.writeBytes(b);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String why) {
      reason = why;
      closed.complete(code);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private WebSocket open(String path, Collector c, String... headers) throws Exception {
    WebSocket.Builder b = http.newWebSocketBuilder();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.buildAsync(URI.create("ws://" + base.getAuthority() + path), c).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aStreamedAnswerArrivesOverAWebSocketAndEndsWithANormalClose() throws Exception {
    Collector c = new Collector();
    open("/ws/api/lines?q=x%20y", c, "Authorization", "Bearer " + token);
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(c.text()).isEqualTo("{\"n\":0,\"q\":\"x y\"}\n{\"n\":1,\"q\":\"x y\"}\n{\"n\":2,\"q\":\"x y\"}\n");
  }

  @Test
  void anApiErrorClosesTheWebSocketWithItsStatusAndMessage() throws Exception {
    Collector c = new Collector();
    open("/ws/api/missing", c, "Authorization", "Bearer " + token);
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4404);
    assertThat(c.reason).contains("no such thing: missing");
  }

  @Test
  void anUpgradedStreamCarriesTheBrowsersMessagesBothWays() throws Exception {
    Collector c = new Collector();
    WebSocket ws = open("/ws/api/shout?method=POST", c, "Authorization", "Bearer " + token);
    ws.sendBinary(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
    ws.sendText("console", true).get(5, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.text().equals("HELLO CONSOLE") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(c.text()).isEqualTo("HELLO CONSOLE");
    ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void aWebSocketFromAnotherSiteIsRefused() {
    Collector c = new Collector();
    assertThatThrownBy(() -> open("/ws/api/lines", c, "Authorization", "Bearer " + token,
        "Origin", "http://evil.example")).hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class)
        .hasStackTraceContaining("403");
  }

  @Test
  void aNonLoopbackAddressWithoutTlsIsRefused() {
    assertThatThrownBy(() -> Console.requireTlsBeyondLoopback(Console.parseAddress("0.0.0.0:2380"), false))
        .hasMessageContaining("refusing to serve the console on 0.0.0.0:2380 without TLS");
    assertThatThrownBy(() -> Console.start(Console.parseAddress("0.0.0.0:0"), null, dataRoot, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    Console.requireTlsBeyondLoopback(Console.parseAddress("0.0.0.0:2380"), true);
    Console.requireTlsBeyondLoopback(Console.parseAddress("127.0.0.1:2380"), false);
    Console.requireTlsBeyondLoopback(Console.parseAddress("[::1]:2380"), false);
    assertThatThrownBy(() -> Console.parseAddress("2380")).hasMessageContaining("use HOST:PORT");
  }
}
