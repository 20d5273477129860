package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port forwarding as kubelet serves it. Over SPDY the client opens a pair of streams per
 * connection it forwards (streamType {@code error} and {@code data}, the same {@code requestID}
 * and {@code port}); each complete pair is one TCP connection to the port inside the pod. Over a
 * WebSocket the ports are the request's: channel 2i carries port i's data, 2i+1 its errors, and
 * each starts with the port number (uint16, little endian).
 */
final class PortForwarding {
  private static final Logger log = LoggerFactory.getLogger(PortForwarding.class);

  private final StreamingBackend backend;
  private final PortForwardTarget target;
  private final Duration streamCreationTimeout;

  PortForwarding(StreamingBackend backend, PortForwardTarget target, Duration streamCreationTimeout) {
    this.backend = backend;
    this.target = target;
    this.streamCreationTimeout = streamCreationTimeout;
  }

  /** kubelet's checks of a new stream's headers: a port in 1–65535, a type of error or data. */
  static Optional<String> refusal(SpdyStream s) {
    String port = s.header("port");
    if (port.isEmpty()) {
      return Optional.of("\"port\" header is required");
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return Optional.of("port \"" + port + "\" must be > 0");
      }
    } catch (NumberFormatException e) {
      return Optional.of("unable to parse \"" + port + "\" as a port");
    }
    String type = s.header("streamType");
    if (type.isEmpty()) {
      return Optional.of("\"streamType\" header is required");
    }
    if (!type.equals("error") && !type.equals("data")) {
      return Optional.of("invalid stream type \"" + type + "\"");
    }
    return Optional.empty();
  }

  /** One forwarded connection's streams, complete when both came. */
  private static final class Pair {
    SpdyStream data;
    SpdyStream error;
    final CompletableFuture<Void> complete = new CompletableFuture<>();
  }

  /** Serves pairs until the client closes the connection. */
  void serveSpdy(SpdyConnection connection) throws InterruptedException {
    Map<String, Pair> pairs = new ConcurrentHashMap<>();
    while (true) {
      Optional<SpdyStream> next = connection.nextStream(Duration.ofSeconds(30));
      if (next.isEmpty()) {
        if (!connection.isOpen()) {
          return;
        }
        continue;
      }
      SpdyStream s = next.get();
      String requestId = requestId(s);
      Pair p = pairs.get(requestId);
      if (p == null) {
        Pair created = new Pair();
        p = created;
        pairs.put(requestId, created);
        Thread.ofVirtual().name("portforward-pair").start(() -> expire(created, requestId, pairs));
      }
      boolean isError = s.header("streamType").equals("error");
      if (isError ? p.error != null : p.data != null) {
        String message = "error processing stream for request " + requestId + ": "
            + (isError ? "error" : "data") + " stream already assigned";
        log.debug(message);
        printError(p, message);
        continue;
      }
      if (isError) {
        p.error = s;
      } else {
        p.data = s;
      }
      if (p.error != null && p.data != null) {
        p.complete.complete(null);
        Pair ready = p;
        pairs.remove(requestId);
        Thread.ofVirtual().name("portforward").start(() -> forward(ready));
      }
    }
  }

  /** A pair whose second stream never comes is given up after the stream creation timeout. */
  private void expire(Pair p, String requestId, Map<String, Pair> pairs) {
    try {
      p.complete.get(streamCreationTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      printError(p, "timed out waiting for streams of request " + requestId);
      pairs.remove(requestId);
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      // the connection went
    }
  }

  private static void printError(Pair p, String message) {
    if (p.error != null) {
      try {
        p.error.output().write(message.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the client is gone
      }
    }
  }

  /** Old clients send no requestID: kubelet pairs an error stream n with the data stream n+2. */
  private static String requestId(SpdyStream s) {
    String id = s.header("requestID");
    if (!id.isEmpty()) {
      return id;
    }
    return Integer.toString(s.header("streamType").equals("error") ? s.id() : s.id() - 2);
  }

  private void forward(Pair p) {
    int port = Integer.parseInt(p.data.header("port"));
    try {
      copyBothWays(port, p.data.input(), p.data.output());
      p.data.closeOutput();
      p.error.closeOutput();
    } catch (IOException | RuntimeException e) {
      if (brokenByThePod(e)) {
        // kubelet resets the streams when the pod's side reset the connection or stopped reading
        log.debug("forwarding port {}: {}", port, e.getMessage());
        p.data.reset();
        p.error.reset();
        return;
      }
      String message = "error forwarding port " + port + " to pod " + target.podSandboxId() + ", uid : "
          + e.getMessage();
      log.debug(message);
      try {
        p.error.output().write(message.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the client is gone
      }
      p.data.closeOutput();
      p.error.closeOutput();
    }
  }

  /** ECONNRESET or EPIPE while forwarding (not a refused connect): kubelet's cue to reset the streams. */
  private static boolean brokenByThePod(Exception e) {
    String m = String.valueOf(e.getMessage());
    return e instanceof SocketException && !(e instanceof java.net.ConnectException)
        && (m.contains("reset") || m.contains("Broken pipe"));
  }

  /**
   * Copies the client's data to the pod's port (its end becomes a half-close) and the port's
   * answer back, until both directions ended.
   */
  private void copyBothWays(int port, InputStream fromClient, OutputStream toClient) throws IOException {
    try (SocketChannel socket = backend.connect(target, port)) {
      Thread upstream = Thread.ofVirtual().name("portforward-up").start(() -> {
        try {
          fromClient.transferTo(Channels.newOutputStream(socket));
          socket.shutdownOutput();
        } catch (IOException e) {
          log.debug("forwarding to port {} ended: {}", port, e.getMessage());
        }
      });
      ByteBuffer buf = ByteBuffer.allocate(SpdyStream.MAX_DATA);
      while (socket.read(buf) >= 0) {
        buf.flip();
        toClient.write(buf.array(), 0, buf.limit());
        buf.clear();
      }
      try {
        upstream.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The WebSocket form: one pair of channels per requested port, all forwarded at once. */
  void serveWebSocket(WebSocketConnection connection) throws InterruptedException {
    int count = target.ports().size();
    Thread[] workers = new Thread[count];
    for (int i = 0; i < count; i++) {
      int port = target.ports().get(i);
      InputStream in = connection.readChannel(2 * i);
      OutputStream data = connection.writeChannel(2 * i);
      OutputStream errors = connection.writeChannel(2 * i + 1);
      byte[] portBytes = {(byte) port, (byte) (port >>> 8)};
      try {
        data.write(portBytes);
        errors.write(portBytes);
      } catch (IOException gone) {
        return;
      }
      workers[i] = Thread.ofVirtual().name("portforward-ws").start(() -> {
        try {
          copyBothWays(port, in, data);
        } catch (IOException | RuntimeException e) {
          String message = "error forwarding port " + port + " to pod " + target.podSandboxId() + ", uid : "
              + e.getMessage();
          try {
            errors.write(message.getBytes(StandardCharsets.UTF_8));
          } catch (IOException ignored) {
            // the client is gone
          }
        }
      });
    }
    for (Thread t : workers) {
      t.join();
    }
    connection.close();
  }
}
