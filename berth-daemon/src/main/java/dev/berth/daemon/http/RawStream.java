package dev.berth.daemon.http;

import java.io.InputStream;
import java.io.OutputStream;

/** A connection taken over from HTTP: the client's bytes in, ours out. */
public interface RawStream {
  /** The client's bytes; end of stream when the client closes or half-closes. */
  InputStream input();

  /** Unbuffered: each write goes to the client at once. */
  OutputStream output();

  /** Half-closes our side, telling the client that no more output comes. */
  void closeOutput();
}
