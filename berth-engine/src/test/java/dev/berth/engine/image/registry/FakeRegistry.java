package dev.berth.engine.image.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.engine.content.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small in-memory registry on 127.0.0.1 for unit tests: serves manifests and blobs, can ask
 * for a bearer token (its own token endpoint checks basic credentials), fail with a status a
 * number of times, or serve wrong bytes. Tests against the real registry are in berth-testkit.
 */
final class FakeRegistry implements AutoCloseable {
  record Manifest(String mediaType, byte[] bytes) {}

  final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
  final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  final Map<Digest, byte[]> corruptBlobs = new ConcurrentHashMap<>();
  /** Blobs whose next GET is cut off halfway (the connection drops). */
  final java.util.Set<Digest> truncateOnce = ConcurrentHashMap.newKeySet();
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger failuresLeft = new AtomicInteger();
  volatile int failureStatus = 503;
  /** When set, registry calls need a bearer token, and the token service needs these. */
  volatile BasicCredentials requiredLogin;
  volatile boolean requireToken;
  /** When set, blob GETs redirect to this host's /cdn/, as registries send to blob storage. */
  volatile String redirectBlobsTo;
  final List<String> cdnRequests = Collections.synchronizedList(new ArrayList<>());

  private final HttpServer server;

  FakeRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/token", this::token);
    server.createContext("/v2/", this::registry);
    server.createContext("/cdn/", this::cdn);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void putManifest(String repoAndRef, String mediaType, byte[] bytes) {
    manifests.put(repoAndRef, new Manifest(mediaType, bytes));
  }

  Digest putBlob(byte[] bytes) {
    Digest digest = Digest.of(bytes);
    blobs.put(digest, bytes);
    return digest;
  }

  private void token(HttpExchange exchange) throws IOException {
    tokenRequests.add(exchange.getRequestURI().getRawQuery() + " auth="
        + exchange.getRequestHeaders().getFirst("Authorization"));
    BasicCredentials login = requiredLogin;
    if (login != null) {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (login.username() + ":" + login.password()).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        send(exchange, 401, "application/json", "{\"details\":\"bad login\"}".getBytes());
        return;
      }
    }
    String scope = "";
    for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
      if (pair.startsWith("scope=")) {
        scope += URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    send(exchange, 200, "application/json",
        ("{\"token\":\"tok-" + scope.replace('"', '_') + "\",\"expires_in\":300}").getBytes());
  }

  private void registry(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path);
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      send(exchange, failureStatus, "text/plain", "busy".getBytes());
      return;
    }
    if (requireToken) {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("Bearer tok-repository:")) {
        exchange.getResponseHeaders().add("WWW-Authenticate",
            "Bearer realm=\"http://" + host() + "/token\",service=\"fake\"");
        send(exchange, 401, "application/json",
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes());
        return;
      }
    }
    if (path.equals("/v2/")) {
      send(exchange, 200, "application/json", "{}".getBytes());
      return;
    }
    String rest = path.substring("/v2/".length());
    int manifestsAt = rest.indexOf("/manifests/");
    int blobsAt = rest.indexOf("/blobs/");
    if (manifestsAt > 0) {
      Manifest m = manifests.get(rest.substring(0, manifestsAt) + ":"
          + rest.substring(manifestsAt + "/manifests/".length()));
      if (m == null) {
        send(exchange, 404, "application/json",
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}".getBytes());
      } else {
        send(exchange, 200, m.mediaType(), m.bytes());
      }
      return;
    }
    if (blobsAt > 0) {
      Digest digest = Digest.parse(rest.substring(blobsAt + "/blobs/".length()));
      if (redirectBlobsTo != null && exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Location", "http://" + redirectBlobsTo + "/cdn/" + digest);
        send(exchange, 307, "text/plain", new byte[0]);
        return;
      }
      byte[] bytes = corruptBlobs.getOrDefault(digest, blobs.get(digest));
      if (bytes == null) {
        send(exchange, 404, "application/json",
            "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\"}]}".getBytes());
      } else if (exchange.getRequestMethod().equals("GET") && truncateOnce.remove(digest)) {
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes, 0, bytes.length / 2);
        exchange.getResponseBody().flush();
        exchange.close();
      } else {
        send(exchange, 200, "application/octet-stream", bytes);
      }
      return;
    }
    send(exchange, 404, "text/plain", new byte[0]);
  }

  private void cdn(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    cdnRequests.add(exchange.getRequestURI().getPath() + " auth=" + auth);
    Digest digest = Digest.parse(exchange.getRequestURI().getPath().substring("/cdn/".length()));
    send(exchange, 200, "application/octet-stream", blobs.get(digest));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
