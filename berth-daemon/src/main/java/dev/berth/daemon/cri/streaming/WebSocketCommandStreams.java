package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of an exec or attach over a WebSocket: channels 0 stdin, 1 stdout, 2 stderr,
 * 3 error, 4 resize, as kubelet's. An empty message on the lowest writable channel tells the
 * client the connection is ready.
 */
final class WebSocketCommandStreams implements CommandStreams {
  private static final Logger log = LoggerFactory.getLogger(WebSocketCommandStreams.class);
  static final int STDIN = 0;
  static final int STDOUT = 1;
  static final int STDERR = 2;
  static final int ERROR = 3;
  static final int RESIZE = 4;

  private final WebSocketConnection connection;
  private final String protocol;
  private final boolean stdin;
  private final boolean stdout;
  private final boolean stderr;

  WebSocketCommandStreams(WebSocketConnection connection, String protocol, boolean stdin, boolean stdout,
      boolean stderr) {
    this.connection = connection;
    this.protocol = protocol;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    if (stdin) {
      connection.readChannel(STDIN);
    }
    connection.readChannel(RESIZE);
  }

  /** kubelet's greeting: an empty message on stdout, else stderr, else error. */
  void announce() throws IOException {
    connection.send(stdout ? STDOUT : stderr ? STDERR : ERROR, new byte[0], 0, 0);
  }

  @Override
  public InputStream stdin() {
    return stdin ? connection.readChannel(STDIN) : null;
  }

  @Override
  public OutputStream stdout() {
    return stdout ? connection.writeChannel(STDOUT) : null;
  }

  @Override
  public OutputStream stderr() {
    return stderr ? connection.writeChannel(STDERR) : null;
  }

  @Override
  public InputStream resize() {
    return connection.readChannel(RESIZE);
  }

  @Override
  public void writeStatus(StreamStatus status) {
    byte[] bytes = StreamProtocols.jsonStatus(protocol) ? status.json() : status.text();
    if (bytes.length == 0) {
      return;
    }
    try {
      connection.send(ERROR, bytes, 0, bytes.length);
    } catch (IOException gone) {
      log.debug("cannot write the status: {}", gone.getMessage());
    }
  }

  @Override
  public void onClientGone(Runnable action) {
    connection.onClose(action);
  }

  @Override
  public void close() {
    connection.close();
  }
}
