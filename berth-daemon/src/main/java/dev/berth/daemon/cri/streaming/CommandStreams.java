package dev.berth.daemon.cri.streaming;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The client's streams of one exec or attach, whichever transport carries them; a null stream was
 * not asked for (or the protocol has none, as the resize stream before v3).
 */
interface CommandStreams {
  InputStream stdin();

  OutputStream stdout();

  OutputStream stderr();

  InputStream resize();

  /** Writes how the command ended on the error stream, in the negotiated protocol's form. */
  void writeStatus(StreamStatus status);

  /** Ends the output streams and the connection. */
  void close();

  /** Runs {@code action} once the client's connection is gone (at once if it is gone already). */
  void onClientGone(Runnable action);
}
