package dev.berth.daemon.cri.streaming;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * One SPDY stream a client opened: its headers ({@code streamType}, {@code port}, {@code requestID}),
 * its input (the client's DATA frames until FIN) and its output (our DATA frames; closing sends FIN).
 */
final class SpdyStream {
  /** Frames carry at most this much of our output each. */
  static final int MAX_DATA = 32 << 10;

  private final SpdyConnection connection;
  private final int id;
  private final Map<String, String> headers;
  private final InboundPipe input;
  private volatile boolean outputClosed;

  SpdyStream(SpdyConnection connection, int id, Map<String, String> headers, InboundPipe input) {
    this.connection = connection;
    this.id = id;
    this.headers = headers;
    this.input = input;
  }

  int id() {
    return id;
  }

  /** A header's value (names are lower case in SPDY), or "" when absent, as Go's Header.Get. */
  String header(String name) {
    return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "");
  }

  InboundPipe inbound() {
    return input;
  }

  InputStream input() {
    return input;
  }

  /** Our side of the stream: writes become DATA frames; close sends an empty one with FIN. */
  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (outputClosed) {
          throw new IOException("stream " + id + " is closed");
        }
        for (int at = off; at < off + len; at += MAX_DATA) {
          int n = Math.min(MAX_DATA, off + len - at);
          connection.write(new DefaultSpdyDataFrame(id, Unpooled.copiedBuffer(b, at, n)));
        }
      }

      @Override
      public void close() {
        closeOutput();
      }
    };
  }

  /** Sends FIN (once): the client reads the end of this stream. */
  void closeOutput() {
    if (outputClosed) {
      return;
    }
    outputClosed = true;
    try {
      connection.write(new DefaultSpdyDataFrame(id).setLast(true));
    } catch (IOException gone) {
      // the connection ended: the client sees the end of every stream
    }
  }

  /** Ends the stream both ways at once (RST_STREAM CANCEL), as kubelet resets a broken forward. */
  void reset() {
    outputClosed = true;
    input.finish();
    try {
      connection.write(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.CANCEL));
    } catch (IOException gone) {
      // nothing left to reset
    }
  }

  /** The client reset the stream. */
  void resetByClient() {
    outputClosed = true;
    input.finish();
  }
}
