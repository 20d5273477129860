package dev.berth.daemon.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How a route answers. Exactly one of {@link #json}, {@link #text}, {@link #empty},
 * {@link #stream} or {@link #hijack} per request.
 */
public interface ApiResponse {
  /** Adds a header to the response about to be sent. */
  ApiResponse header(String name, String value);

  void json(int status, Object body) throws IOException;

  void text(int status, String contentType, String body) throws IOException;

  /**
   * A whole body of bytes (static files of the web console). The default streams it; the
   * server's own response sends it with a Content-Length.
   */
  default void bytes(int status, String contentType, byte[] body) throws IOException {
    try (OutputStream out = stream(status, contentType)) {
      out.write(body);
    }
  }

  /** A response without a body (204, 304, or a HEAD answer). */
  void empty(int status) throws IOException;

  /**
   * Starts a chunked response and returns its body; closing the stream ends the response.
   * Each write is sent at once (progress messages, logs, events must not wait in a buffer).
   */
  OutputStream stream(int status, String contentType) throws IOException;

  /**
   * Takes over the connection for a raw duplex stream, as Docker's attach and exec do: answers
   * {@code 101 UPGRADED} (when the client asked to upgrade) or {@code 200 OK}, then leaves HTTP.
   * The connection is closed when the route returns.
   */
  RawStream hijack(String contentType) throws IOException;

  /**
   * False once the client has closed the connection, or its sending side (as dockerd, which
   * cancels a request at the client's EOF): a quiet stream, such as events or a build, checks this.
   */
  default boolean connected() {
    return true;
  }

  /**
   * Runs {@code listener} once when the client hangs up (as {@link #connected()} turns false),
   * on a network thread: it must be quick. Closing the result forgets the listener.
   */
  default AutoCloseable onHangUp(Runnable listener) {
    return () -> { };
  }

  /** True once a response has been started. */
  boolean committed();
}
