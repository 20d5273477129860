package dev.berth.engine.vm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A QMP client: JSON documents over QEMU's unix socket. Reads the greeting, negotiates
 * capabilities, matches replies to commands by {@code id}, and hands asynchronous events
 * (SHUTDOWN, STOP, RESUME, POWERDOWN...) to listeners from one reader virtual thread.
 */
public final class QmpClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An asynchronous QMP event: its name and data ({@code {}} when it has none). */
  public record Event(String name, JsonNode data) {}

  /** QEMU answered a command with an error, or the connection failed. */
  public static final class QmpException extends IOException {
    public QmpException(String message) {
      super(message);
    }
  }

  private final SocketChannel channel;
  private final OutputStream out;
  private final JsonParser parser;
  private final Duration timeout;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Object writeLock = new Object();

  private QmpClient(SocketChannel channel, Duration timeout) throws IOException {
    this.channel = channel;
    this.out = Channels.newOutputStream(channel);
    InputStream in = Channels.newInputStream(channel);
    // A Reader, not the stream: Jackson's byte parser reads ahead to detect the encoding while
    // it is created, which would block before the handshake's timeout is armed.
    this.parser = JSON.createParser(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.timeout = timeout;
  }

  /**
   * Connects, reads the greeting and enters command mode. {@code timeout} bounds the
   * handshake and every later call.
   */
  public static QmpClient connect(Path socket, Duration timeout) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      QmpClient client = new QmpClient(ch, timeout);
      client.handshake();
      return client;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private void handshake() throws IOException {
    // The greeting comes before the reader thread exists; a watchdog closes the socket if it
    // never arrives, which ends the blocking read.
    Thread watchdog = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(timeout);
        channel.close();
      } catch (InterruptedException | IOException done) {
        // greeting arrived in time
      }
    });
    JsonNode greeting;
    try {
      greeting = next();
    } finally {
      watchdog.interrupt();
    }
    if (greeting == null || !greeting.has("QMP")) {
      throw new QmpException("no QMP greeting on " + channel + " (got " + greeting + ")");
    }
    Thread.ofVirtual().name("qmp-reader").start(this::readLoop);
    execute("qmp_capabilities");
  }

  private JsonNode next() throws IOException {
    if (parser.nextToken() == null) {
      return null;
    }
    return parser.readValueAsTree();
  }

  private void readLoop() {
    try {
      JsonNode message;
      while ((message = next()) != null) {
        if (message.has("event")) {
          Event event = new Event(message.get("event").asText(), message.path("data"));
          for (Consumer<Event> l : listeners) {
            try {
              l.accept(event);
            } catch (RuntimeException e) {
              // one listener's bug must not stop event delivery
            }
          }
        } else if (message.has("id")) {
          CompletableFuture<JsonNode> f = pending.remove(message.get("id").asText());
          if (f != null) {
            f.complete(message);
          }
        }
      }
    } catch (IOException e) {
      // the socket closed: QEMU exited or we closed it
    } finally {
      closed.complete(null);
      QmpException gone = new QmpException("QMP connection closed");
      pending.values().forEach(f -> f.completeExceptionally(gone));
      pending.clear();
      try {
        channel.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  public void addListener(Consumer<Event> listener) {
    listeners.add(listener);
  }

  /** Completes when the connection ends (QEMU exited or close was called). */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  public JsonNode execute(String command) throws IOException {
    return execute(command, null);
  }

  /** Sends a command and waits (at most the timeout) for its reply; the {@code return} value. */
  public JsonNode execute(String command, JsonNode arguments) throws IOException {
    String id = "berth-" + ids.incrementAndGet();
    ObjectNode request = JSON.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    if (closed.isDone()) {
      pending.remove(id);
      throw new QmpException("QMP connection closed");
    }
    try {
      synchronized (writeLock) {
        out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      JsonNode answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer.has("error")) {
        throw new QmpException("QMP " + command + ": " + answer.path("error").path("class").asText() + ": "
            + answer.path("error").path("desc").asText());
      }
      return answer.path("return");
    } catch (TimeoutException e) {
      throw new QmpException("QMP " + command + ": no reply within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new QmpException("QMP " + command + ": " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QmpException("QMP " + command + ": interrupted");
    } finally {
      pending.remove(id);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
