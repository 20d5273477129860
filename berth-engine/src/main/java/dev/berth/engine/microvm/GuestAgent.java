package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host side of the guest init's exec agent, on the virtio-serial port {@code agent} (a unix
 * socket of QEMU's). One request at a time, one line each way, base64 so no byte of a command or
 * its output can break the framing: the host sends a run.sh-style script ({@link GuestCommand});
 * the guest runs it like the container's command and answers "CODE STDOUT STDERR" once it
 * ended. Output comes back whole at the end. Interactive execs ({@link GuestExec}) are only
 * started through it: they stream over ports of their own. Each request carries a tag ("t TAG
 * REQUEST") that the guest puts before its answer: an answer nobody waited for any more (a
 * healthcheck berthd gave up on while the guest booted slowly, say) waits in the port for the
 * next client, which skips it instead of taking it for its own. Before each request the guest is
 * told (a line on its control channel) to load virtio-serial and start the agent if it has not:
 * a container without a terminal or stdin boots without them (decision 3400); the request waits
 * in QEMU's socket meanwhile (QEMU reads a port's socket only once the guest opened the port).
 */
public final class GuestAgent {
  /** What an exec in the guest gave. */
  public record Result(int exitCode, byte[] stdout, byte[] stderr) {}

  private final Path socket;
  /** Run before each request: tells the guest to bring its agent up, if it has not yet (decision 3400). */
  private final Runnable wake;
  /**
   * How often the wake is sent again while a request waits: a line sent while the guest kernel
   * boots is lost (its serial driver clears the UART's FIFO when the console opens), and the guest
   * ignores the line once its agent runs.
   */
  static final Duration WAKE_AGAIN = Duration.ofSeconds(1);

  GuestAgent(Path socket) {
    this(socket, () -> {});
  }

  GuestAgent(Path socket, Runnable wake) {
    this.socket = socket;
    this.wake = wake;
  }

  /** The request line for {@code command}. */
  static String request(GuestCommand command) {
    return request(command.script());
  }

  /** The request line for a run.sh-style {@code script}. */
  static String request(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)) + "\n";
  }

  /** {@code request} (a line) with a tag the guest's answer will start with. */
  static String tagged(String tag, String request) {
    return "t " + tag + " " + request;
  }

  /** A fresh tag: 12 hex digits. */
  static String newTag() {
    return java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong()).substring(4);
  }

  /**
   * Reads answer lines until the one tagged {@code tag}, and returns it without the tag; lines of
   * earlier requests (other tags) are skipped.
   */
  static String readAnswer(SocketChannel ch, String tag) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(65536);
    String prefix = tag + " ";
    while (true) {
      buf.clear();
      int n = ch.read(buf);
      if (n < 0) {
        throw new IOException("the microVM's agent closed the connection (the VM ended?)");
      }
      for (int i = 0; i < n; i++) {
        byte b = buf.get(i);
        if (b != '\n') {
          line.write(b);
          continue;
        }
        String text = line.toString(StandardCharsets.US_ASCII);
        line.reset();
        if (text.startsWith(prefix)) {
          return text.substring(prefix.length());
        }
      }
    }
  }

  /** Parses the guest's answer line. */
  static Result parse(String line) {
    String[] parts = line.strip().split(" ", -1);
    try {
      Base64.Decoder d = Base64.getDecoder();
      return new Result(Integer.parseInt(parts[0]), parts.length > 1 ? d.decode(parts[1]) : new byte[0],
          parts.length > 2 ? d.decode(parts[2]) : new byte[0]);
    } catch (IllegalArgumentException e) {
      throw new BerthException("the microVM's agent answered something unreadable: "
          + (line.length() > 80 ? line.substring(0, 80) + "…" : line));
    }
  }

  /** Runs {@code command} in the guest and waits for it (at most {@code timeout}). */
  public Result run(GuestCommand command, Duration timeout) {
    return run(command.script(), timeout);
  }

  /** Runs a run.sh-style {@code script} ({@link GuestCommand#script()}) in the guest and waits for it (at most {@code timeout}). */
  public synchronized Result run(String script, Duration timeout) {
    try (Waker waking = keepWaking()) {
      return runAwake(script, timeout);
    }
  }

  /**
   * Sends the wake now and every {@link #WAKE_AGAIN} until the returned waker is closed. Closed by a
   * flag, not an interrupt: an interrupt that lands while the wake writes to the console would
   * close the console's connection (a channel closes on its thread's interrupt), and with it what
   * QEMU had not read yet, a stop's signal say.
   */
  private Waker keepWaking() {
    wake.run();
    Waker waker = new Waker();
    waker.thread = Thread.ofVirtual().name("microvm-agent-wake").start(() -> {
      long next = System.nanoTime() + WAKE_AGAIN.toNanos();
      while (!waker.done) {
        long left = next - System.nanoTime();
        if (left > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(left);
          continue;
        }
        wake.run();
        next = System.nanoTime() + WAKE_AGAIN.toNanos();
      }
    });
    return waker;
  }

  /** The thread that repeats the wake; {@link #close} ends it. */
  private static final class Waker implements AutoCloseable {
    private volatile boolean done;
    private Thread thread;

    @Override
    public void close() {
      done = true;
      java.util.concurrent.locks.LockSupport.unpark(thread);
    }
  }

  /** Whether the agent answered a request of this berthd (it runs, virtio-serial's driver is loaded). */
  private volatile boolean answered;

  /**
   * Returns once the guest's agent runs (at once when it answered before): a request that does
   * nothing, sent when this berthd never had an answer. An interactive exec's ports are then
   * plugged into a guest whose virtio-serial driver is loaded, as for a container that loads it
   * at boot, not while the driver binds (decision 3400).
   */
  void awaitUp(Duration timeout) {
    if (!answered) {
      run("set -- /bin/busybox true\n", timeout);
    }
  }

  private Result runAwake(String script, Duration timeout) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    SocketChannel[] open = new SocketChannel[1];
    Thread.ofVirtual().name("microvm-agent").start(() -> {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        open[0] = ch;
        ch.connect(UnixDomainSocketAddress.of(socket));
        String tag = newTag();
        ch.write(ByteBuffer.wrap(tagged(tag, request(script)).getBytes(StandardCharsets.US_ASCII)));
        done.complete(parse(readAnswer(ch, tag)));
        answered = true;
      } catch (IOException | RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      closeQuietly(open[0]);
      throw new BerthException("the exec in the microVM did not end within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BerthException b ? b
          : new BerthException("cannot exec in the microVM: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(open[0]);
      throw new BerthException("interrupted while waiting for an exec in the microVM", e);
    }
  }

  /** The request line that starts an interactive exec in {@code slot}. */
  static String slotRequest(int slot, boolean tty, int rows, int cols, GuestCommand command) {
    return "x " + slot + " " + (tty ? 1 : 0) + " " + Math.max(0, rows) + " " + Math.max(0, cols) + " "
        + request(command);
  }

  /** Asks the agent to start an interactive exec in {@code slot} (its sockets connected already); returns when it runs. */
  synchronized void startInSlot(int slot, boolean tty, int rows, int cols, GuestCommand command) {
    try (Waker waking = keepWaking(); SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      String tag = newTag();
      ch.write(ByteBuffer.wrap(tagged(tag, slotRequest(slot, tty, rows, cols, command))
          .getBytes(StandardCharsets.US_ASCII)));
      String answer = readAnswer(ch, tag).strip();
      if (!answer.equals("started")) {
        throw new BerthException("the microVM's agent did not start the exec: " + answer);
      }
    } catch (IOException e) {
      throw new BerthException("cannot exec in the microVM: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      if (ch != null) {
        ch.close();
      }
    } catch (IOException ignored) {
      // closing to end the wait
    }
  }
}
