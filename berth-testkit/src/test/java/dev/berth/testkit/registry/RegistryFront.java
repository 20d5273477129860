package dev.berth.testkit.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.engine.content.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A proxy on 127.0.0.1 in front of a real registry, for what the real one cannot be made to do
 * without TLS certificates or on purpose: demand bearer tokens from its own token endpoint, or
 * serve wrong bytes for a blob.
 */
final class RegistryFront implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String upstream;
  private final String username;
  private final String password;
  private final boolean requireToken;
  /** Tokens issued, each with the scopes it grants. */
  private final ConcurrentHashMap<String, Set<String>> tokens = new ConcurrentHashMap<>();
  final Set<Digest> corrupt = ConcurrentHashMap.newKeySet();
  final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
  final List<String> rejected = Collections.synchronizedList(new ArrayList<>());

  private RegistryFront(String upstream, boolean requireToken, String username, String password)
      throws IOException {
    this.upstream = upstream;
    this.requireToken = requireToken;
    this.username = username;
    this.password = password;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/token", this::token);
    server.createContext("/v2/", this::proxy);
    server.start();
  }

  /** Passes everything through, except blobs put in {@link #corrupt}. */
  static RegistryFront plain(LocalRegistry registry) throws IOException {
    return new RegistryFront(registry.host(), false, null, null);
  }

  /** Demands a bearer token, which its token endpoint gives for this login only. */
  static RegistryFront bearer(LocalRegistry registry, String username, String password)
      throws IOException {
    return new RegistryFront(registry.host(), true, username, password);
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void token(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    tokenRequests.add(query + " auth=" + auth);
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth)) {
      respond(exchange, 401, "application/json", "{\"details\":\"incorrect username or password\"}".getBytes());
      return;
    }
    Set<String> granted = ConcurrentHashMap.newKeySet();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("scope=")) {
        // repository:NAME:pull,push grants NAME:pull and NAME:push.
        String[] scope = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8).split(":");
        for (String action : scope[2].split(",")) {
          granted.add(scope[1] + ":" + action);
        }
      }
    }
    String token = UUID.randomUUID().toString();
    tokens.put(token, granted);
    respond(exchange, 200, "application/json",
        ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes());
  }

  private void proxy(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    URI uri = exchange.getRequestURI();
    if (requireToken && !authorized(exchange, method, uri.getPath())) {
      rejected.add(method + " " + uri.getPath());
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
          + "/token\",service=\"front\"");
      respond(exchange, 401, "application/json",
          "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes());
      return;
    }
    byte[] body = exchange.getRequestBody().readAllBytes();
    HttpRequest.Builder forward = HttpRequest.newBuilder(
        URI.create("http://" + upstream + uri.getRawPath()
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
        .method(method, body.length == 0 && !method.equals("PUT") && !method.equals("POST")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String name : List.of("Accept", "Content-Type")) {
      for (String value : exchange.getRequestHeaders().getOrDefault(name, List.of())) {
        forward.header(name, value);
      }
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    for (String name : List.of("Docker-Content-Digest", "Location", "Docker-Upload-UUID", "Range")) {
      response.headers().firstValue(name).ifPresent(value ->
          exchange.getResponseHeaders().set(name, value.replace(upstream, host())));
    }
    byte[] out = response.body();
    String path = uri.getPath();
    int blobs = path.indexOf("/blobs/sha256:");
    if (method.equals("GET") && blobs > 0
        && corrupt.contains(Digest.parse(path.substring(blobs + "/blobs/".length())))) {
      out = out.clone();
      out[0] ^= 0x55; // Same size, other bytes: only the digest check can catch it.
    }
    respond(exchange, response.statusCode(),
        response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
        method.equals("HEAD") ? null : out);
  }

  private boolean authorized(HttpExchange exchange, String method, String path) {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      return false;
    }
    Set<String> granted = tokens.get(auth.substring("Bearer ".length()));
    if (granted == null) {
      return false;
    }
    if (path.equals("/v2/")) {
      return true;
    }
    String rest = path.substring("/v2/".length());
    int cut = Math.max(rest.indexOf("/manifests/"), rest.indexOf("/blobs/"));
    String repository = cut < 0 ? rest : rest.substring(0, cut);
    String action = method.equals("GET") || method.equals("HEAD") ? "pull" : "push";
    return granted.contains(repository + ":" + action);
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
    if (body != null && body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    http.close();
  }
}
