package dev.berth.daemon.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A blocking stream over a connection's inbox: a request body (ending at its last HTTP part)
 * or, after a hijack, the client's raw bytes (ending when the client closes or half-closes).
 */
final class InboxStream extends InputStream {
  private final HttpConnection connection;
  private final boolean endsWithRequestBody;
  private ByteBuf current;
  private boolean ended;
  private boolean connectionEnded;

  InboxStream(HttpConnection connection, boolean endsWithRequestBody) {
    this.connection = connection;
    this.endsWithRequestBody = endsWithRequestBody;
  }

  /** True when the client closed (or half-closed) the connection. */
  boolean connectionEnded() {
    return connectionEnded;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || !current.isReadable()) {
      if (current != null) {
        current.release();
        current = null;
      }
      if (ended) {
        return -1;
      }
      Object next;
      try {
        next = connection.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading from the client");
      }
      switch (next) {
        case HttpConnection.Signal s -> {
          ended = true;
          connectionEnded = true;
        }
        case HttpContent content -> {
          current = content.content();
          ended = endsWithRequestBody && content instanceof LastHttpContent;
        }
        case ByteBuf raw -> current = raw;
        default -> ReferenceCountUtil.release(next);
      }
    }
    int n = Math.min(len, current.readableBytes());
    current.readBytes(b, off, n);
    return n;
  }

  /** Reads and drops the rest. */
  void skipAll() throws IOException {
    byte[] scratch = new byte[8192];
    while (read(scratch, 0, scratch.length) >= 0) {
      // discard
    }
  }

  @Override
  public void close() {
    // The exchange drains what is left; closing early must not lose the connection's framing.
  }
}
