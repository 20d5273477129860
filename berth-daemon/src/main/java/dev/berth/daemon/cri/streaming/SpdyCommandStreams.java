package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streams of an exec or attach over SPDY: one SPDY stream per {@code streamType}. */
final class SpdyCommandStreams implements CommandStreams {
  private static final Logger log = LoggerFactory.getLogger(SpdyCommandStreams.class);

  private final SpdyConnection connection;
  private final String protocol;
  private final Map<String, SpdyStream> byType;

  private SpdyCommandStreams(SpdyConnection connection, String protocol, Map<String, SpdyStream> byType) {
    this.connection = connection;
    this.protocol = protocol;
    this.byType = byType;
  }

  /**
   * Waits for the streams the request implies (error always; stdin, stdout, stderr as asked;
   * resize for a TTY from v3 on), as kubelet does; empty when the client did not open them in
   * {@code timeout} or went away (the connection is closed then).
   */
  static Optional<SpdyCommandStreams> await(SpdyConnection connection, String protocol, boolean stdin,
      boolean stdout, boolean stderr, boolean tty, Duration timeout) throws InterruptedException {
    int expected = 1 + (stdin ? 1 : 0) + (stdout ? 1 : 0) + (stderr ? 1 : 0)
        + (tty && StreamProtocols.resizes(protocol) ? 1 : 0);
    Map<String, SpdyStream> byType = new HashMap<>();
    Instant deadline = Instant.now().plus(timeout);
    int received = 0;
    while (received < expected) {
      Duration left = Duration.between(Instant.now(), deadline);
      Optional<SpdyStream> next = left.isNegative() ? Optional.empty() : connection.nextStream(left);
      if (next.isEmpty()) {
        log.debug("{}: timed out waiting for client to create streams ({} of {})", protocol, received, expected);
        connection.close();
        return Optional.empty();
      }
      SpdyStream s = next.get();
      String type = s.header("streamType");
      switch (type) {
        case "error", "stdin", "stdout", "stderr", "resize" -> byType.put(type, s);
        default -> log.debug("unexpected stream type: \"{}\"", type);
      }
      received++; // kubelet counts every replied stream
    }
    if (protocol.equals(StreamProtocols.V1) || protocol.isEmpty()) {
      // kubelet's v1 handler closes stdin at once (an old client's quirk it keeps)
      SpdyStream in = byType.get("stdin");
      if (in != null) {
        in.closeOutput();
      }
    }
    return Optional.of(new SpdyCommandStreams(connection, protocol, byType));
  }

  private InputStream in(String type) {
    SpdyStream s = byType.get(type);
    return s == null ? null : s.input();
  }

  private OutputStream out(String type) {
    SpdyStream s = byType.get(type);
    return s == null ? null : s.output();
  }

  @Override
  public InputStream stdin() {
    return in("stdin");
  }

  @Override
  public OutputStream stdout() {
    return out("stdout");
  }

  @Override
  public OutputStream stderr() {
    return out("stderr");
  }

  @Override
  public InputStream resize() {
    return in("resize");
  }

  @Override
  public void writeStatus(StreamStatus status) {
    SpdyStream error = byType.get("error");
    if (error == null) {
      return;
    }
    byte[] bytes = StreamProtocols.jsonStatus(protocol) ? status.json() : status.text();
    try {
      if (bytes.length > 0) {
        error.output().write(bytes);
      }
    } catch (IOException gone) {
      log.debug("cannot write the status: {}", gone.getMessage());
    }
    error.closeOutput();
  }

  @Override
  public void onClientGone(Runnable action) {
    connection.onClose(action);
  }

  @Override
  public void close() {
    for (String type : new String[] {"stdout", "stderr", "error"}) {
      SpdyStream s = byType.get(type);
      if (s != null) {
        s.closeOutput();
      }
    }
    connection.close();
  }
}
