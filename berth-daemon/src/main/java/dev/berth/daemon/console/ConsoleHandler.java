package dev.berth.daemon.console;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.ExchangeHandler;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the console: the token first (a Bearer header, the session cookie, or
 * {@code ?token=} on the page, which sets the cookie and redirects to a URL without it), then
 * the page and its files, {@code /api/...} handed to the API's own dispatcher unchanged
 * (minus the prefix), and {@code /ws/api/...} as a WebSocket carrying a streamed API answer.
 * Without the token every path answers 401: a login form for pages, JSON for API paths.
 */
final class ConsoleHandler implements ExchangeHandler {
  private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
  static final String COOKIE = "berth_console";
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
      + "form-action 'self'; frame-ancestors 'self'";

  private final ConsoleToken token;
  private final ExchangeHandler api;
  private final StaticAssets assets;
  private final StreamBridge streams;
  private final boolean secure;

  /** {@code secure}: served over TLS, so the cookie is marked Secure. */
  ConsoleHandler(ConsoleToken token, ExchangeHandler api, boolean secure) {
    this.token = token;
    this.api = api;
    this.assets = new StaticAssets();
    this.streams = new StreamBridge(api);
    this.secure = secure;
  }

  @Override
  public void handle(Dispatcher.Exchange exchange) {
    String path = exchange.rawPath();
    ApiRequest req = exchange.request(Optional.empty(), path, Map.of());
    ApiResponse res = exchange.response();
    res.header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer");
    try {
      if (path.equals("/") && req.method().equals("GET") && req.query("token").isPresent()) {
        logIn(req, res);
        return;
      }
      if (!authorized(req)) {
        unauthorized(path, res);
        return;
      }
      if (path.startsWith("/api/")) {
        if (!req.method().equals("GET") && !sameOrigin(req)) {
          res.json(403, Map.of("message", "cross-origin request refused"));
          return;
        }
        api.handle(new ForwardedExchange(exchange, path.substring("/api".length())));
      } else if (path.startsWith("/ws/api/")) {
        webSocket(path.substring("/ws/api".length()), exchange.method(), req, res);
      } else if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
        res.json(405, Map.of("message", req.method() + " is not served here; the console's pages are read with GET"));
      } else {
        res.header("Content-Security-Policy", CSP);
        if (!assets.serve(path, req, res)) {
          res.json(404, Map.of("message", "page not found"));
        }
      }
    } catch (IOException e) {
      log.debug("console {} {}: {}", req.method(), path, e.toString());
    } catch (RuntimeException e) {
      log.warn("console {} {} failed", req.method(), path, e);
      if (!res.committed()) {
        try {
          res.json(500, Map.of("message", "console error: " + e.getMessage()));
        } catch (IOException ignored) {
          // the client is gone
        }
      }
    }
  }

  /** The token as a Bearer header or the session cookie. */
  boolean authorized(ApiRequest req) {
    Optional<String> auth = req.header("Authorization");
    if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return token.matches(auth.get().substring(7));
    }
    Optional<String> cookies = req.header("Cookie");
    if (cookies.isPresent()) {
      for (Cookie c : ServerCookieDecoder.STRICT.decode(cookies.get())) {
        if (c.name().equals(COOKIE) && token.matches(c.value())) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code /?token=T}: a right token becomes the session cookie and the URL loses it. */
  private void logIn(ApiRequest req, ApiResponse res) throws IOException {
    if (!token.matches(req.query("token").orElse(""))) {
      unauthorized("/", res);
      return;
    }
    DefaultCookie cookie = new DefaultCookie(COOKIE, token.value());
    cookie.setHttpOnly(true);
    cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
    cookie.setPath("/");
    cookie.setSecure(secure);
    res.header("Set-Cookie", ServerCookieEncoder.STRICT.encode(cookie))
        .header("Location", "/")
        .header("Cache-Control", "no-store")
        .empty(303);
  }

  private void unauthorized(String path, ApiResponse res) throws IOException {
    res.header("WWW-Authenticate", "Bearer realm=\"berth-console\"").header("Cache-Control", "no-store");
    if (path.startsWith("/api/") || path.startsWith("/ws/")) {
      res.json(401, Map.of("message", "the console token is missing or wrong: send it as "
          + "\"Authorization: Bearer TOKEN\" or log in at / (the token is in berthd's log and <data-root>/"
          + ConsoleToken.FILE_NAME + ")"));
      return;
    }
    res.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    res.text(401, "text/html; charset=utf-8", LOGIN_PAGE);
  }

  /**
   * A request the browser made from another site carries an Origin that is not this host. Cookies
   * are SameSite=Strict already; this refuses what slips past (old browsers, WebSockets).
   */
  static boolean sameOrigin(ApiRequest req) {
    Optional<String> origin = req.header("Origin");
    if (origin.isEmpty()) {
      return true; // not a browser's cross-site request: those always carry Origin
    }
    try {
      String authority = URI.create(origin.get()).getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(req.header("Host").orElse(""));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void webSocket(String apiPath, String method, ApiRequest req, ApiResponse res) throws IOException {
    if (!WebSocketConnection.isHandshake(req)) {
      res.json(400, Map.of("message", "a WebSocket handshake is expected here (GET with Upgrade: websocket)"));
      return;
    }
    if (!sameOrigin(req)) {
      res.json(403, Map.of("message", "cross-origin WebSocket refused"));
      return;
    }
    // Browsers open WebSockets with GET only; the call's own method rides in the query.
    String callMethod = req.query("method").orElse("GET");
    if (!callMethod.equals("GET") && !callMethod.equals("POST")) {
      res.json(400, Map.of("message", "method=" + callMethod + " is not streamed; use GET or POST"));
      return;
    }
    String rawQuery = queryWithout(req, "method");
    WebSocketConnection ws = WebSocketConnection.accept(req, res);
    streams.run(ws, callMethod, apiPath, rawQuery);
  }

  private static String queryWithout(ApiRequest req, String dropped) {
    StringBuilder q = new StringBuilder();
    req.queryParameters().forEach((name, values) -> {
      if (name.equals(dropped)) {
        return;
      }
      for (String v : values) {
        if (!q.isEmpty()) {
          q.append('&');
        }
        q.append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)).append('=')
            .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
      }
    });
    return q.toString();
  }

  /** An API request seen through the console: the same request, its path without {@code /api}. */
  private record ForwardedExchange(Dispatcher.Exchange inner, String rawPath) implements Dispatcher.Exchange {
    @Override
    public String method() {
      return inner.method();
    }

    @Override
    public ApiRequest request(Optional<ApiVersion> version, String path, Map<String, String> params) {
      return inner.request(version, path, params);
    }

    @Override
    public ApiResponse response() {
      return inner.response();
    }
  }

  private static final String LOGIN_PAGE = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>Berth console: log in</title>
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <style>body{font:15px system-ui,sans-serif;margin:15vh auto;max-width:30em;color:#222}
      input{font:inherit;width:100%;padding:.4em;margin:.5em 0}button{font:inherit;padding:.4em 1em}
      code{background:#eee;padding:0 .2em}</style></head>
      <body><h1>Berth console</h1>
      <p>Enter the console token. berthd prints it in its log at start and keeps it in
      <code>&lt;data-root&gt;/console.token</code> (readable by root only).</p>
      <form method="get" action="/"><input name="token" type="password" autocomplete="off" autofocus
      aria-label="token" id="token"><button type="submit" id="login">Log in</button></form>
      </body></html>
      """;
}
