package dev.berth.daemon.http;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request: checks the API version, finds the route, runs it, and turns any failure
 * into Docker's error shape. Transport-free, so it is tested without sockets.
 */
public final class Dispatcher implements ExchangeHandler {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final Router router;
  private final ApiVersion min;
  private final ApiVersion max;
  private final java.util.List<java.nio.file.Path> visibleRoots;

  public Dispatcher(Router router, ApiVersion min, ApiVersion max) {
    this(router, min, max, java.util.List.of());
  }

  /** {@code visibleRoots}: host paths a 500's message may show (the data-root); others are hidden. */
  public Dispatcher(Router router, ApiVersion min, ApiVersion max, java.util.List<java.nio.file.Path> visibleRoots) {
    this.router = router;
    this.min = min;
    this.max = max;
    this.visibleRoots = java.util.List.copyOf(visibleRoots);
  }

  /** A request whose path parameters are not yet known; the dispatcher supplies them. */
  public interface Exchange {
    String method();

    String rawPath();

    ApiRequest request(Optional<ApiVersion> version, String path, Map<String, String> params);

    ApiResponse response();
  }

  @Override
  public void handle(Exchange exchange) {
    dispatch(exchange);
  }

  public void dispatch(Exchange exchange) {
    ApiResponse response = exchange.response();
    long started = System.nanoTime();
    try {
      ApiVersion.PrefixedPath split = ApiVersion.split(exchange.rawPath());
      split.version().ifPresent(this::checkVersion);
      Router.Match match = router.match(exchange.method(), split.path())
          .orElseThrow(() -> new ApiError(404, "page not found"));
      match.route().handle(exchange.request(split.version(), split.path(), match.params()), response);
      if (!response.committed()) {
        throw new IllegalStateException("route " + exchange.method() + " " + split.path() + " sent no response");
      }
    } catch (Throwable error) {
      fail(exchange, response, error);
    }
    if (log.isDebugEnabled()) {
      // For streams (attach, logs -f, events) this is the stream's whole life.
      log.debug("{} {} took {} ms", exchange.method(), exchange.rawPath(), (System.nanoTime() - started) / 1_000_000);
    }
  }

  private void checkVersion(ApiVersion v) {
    if (v.isOlderThan(min)) {
      throw new ApiError(400, "client version " + v + " is too old. Minimum supported API version is "
          + min + ", please upgrade your client to a newer version");
    }
    if (max.isOlderThan(v)) {
      throw new ApiError(400, "client version " + v + " is too new. Maximum supported API version is " + max);
    }
  }

  private void fail(Exchange exchange, ApiResponse response, Throwable error) {
    if (error instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    ErrorMapper.Mapped mapped = ErrorMapper.map(error);
    if (mapped.internal()) {
      log.error("{} {} failed", exchange.method(), exchange.rawPath(), error);
    } else {
      log.debug("{} {} -> {}: {}", exchange.method(), exchange.rawPath(), mapped.status(), mapped.message());
    }
    if (response.committed()) {
      // A stream already started: the status is out; the client sees the connection end.
      log.debug("{} {}: failed after the response started", exchange.method(), exchange.rawPath());
      return;
    }
    try {
      String message = mapped.internal() ? ErrorMapper.forClient(mapped.message(), visibleRoots) : mapped.message();
      response.json(mapped.status(), Map.of("message", message));
    } catch (IOException e) {
      log.debug("could not send the error to the client: {}", e.getMessage());
    }
  }
}
