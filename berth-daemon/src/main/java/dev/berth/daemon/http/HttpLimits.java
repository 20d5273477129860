package dev.berth.daemon.http;

import java.time.Duration;

/**
 * What one client may ask of the API server before it is refused: sizes of a request's line,
 * headers and JSON body, the time to send a complete request head, and the number of open
 * connections. Streamed bodies (archives, loads, imports, builds) have no size limit: they are
 * never held in memory whole.
 *
 * @param maxRequestLine bytes of "METHOD URI HTTP/1.1"; longer is 414
 * @param maxHeaderBytes bytes of all header lines; more is 431
 * @param maxJsonBody bytes of a body read as JSON; more is 413
 * @param requestHeadTimeout from a connection's first byte (or its opening) to a complete request
 *     head; a client that stalls longer is disconnected. Bodies in progress, streams and
 *     hijacked connections are not timed.
 * @param maxConnections open connections, streams and attaches included; more are answered 503
 */
public record HttpLimits(int maxRequestLine, int maxHeaderBytes, int maxJsonBody, Duration requestHeadTimeout,
    int maxConnections) {

  public static final int DEFAULT_MAX_CONNECTIONS = 2048;

  public static final HttpLimits DEFAULTS = new HttpLimits(16 * 1024, 64 * 1024, 16 * 1024 * 1024,
      Duration.ofSeconds(60), DEFAULT_MAX_CONNECTIONS);

  public HttpLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("the connection limit must be at least 1, not " + maxConnections);
    }
  }

  public HttpLimits withMaxConnections(int n) {
    return new HttpLimits(maxRequestLine, maxHeaderBytes, maxJsonBody, requestHeadTimeout, n);
  }
}
