package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntConsumer;

/**
 * An interactive exec ({@code -i} or {@code -t}) in a microVM: it runs in one of the guest init's
 * exec slots, whose virtio-serial ports are QEMU sockets. With a TTY its stdio is the slot's
 * virtio console (a terminal in the guest, resized over the control channel); without, its stdin,
 * stdout and stderr are ports of their own, and closing stdin is an EOF in the guest. The exit
 * code comes on the slot's exit port. The sockets stay connected after the process ended, so the
 * output streams end once the code is in and the ports went quiet.
 */
public final class GuestExec {
  /** How long the output ports must stay quiet after the exit code before the streams end. */
  static final Duration QUIET = Duration.ofMillis(100);
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);
  /** How long after the client closed stdin its socket is closed (see {@link #closeLater}). */
  static final Duration EOF_DELAY = Duration.ofMillis(300);
  private static final byte[] END = new byte[0];

  private final int slot;
  private final boolean tty;
  private final List<SocketChannel> channels;
  private final SocketChannel input;
  private final QueueStream stdout = new QueueStream();
  private final QueueStream stderr = new QueueStream();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile long lastOutput = System.nanoTime();

  /** Completes when the guest opened the stdin port (without a TTY). */
  private final CompletableFuture<Void> inputReady = new CompletableFuture<>();

  private GuestExec(int slot, boolean tty, List<SocketChannel> channels) {
    this.slot = slot;
    this.tty = tty;
    this.channels = channels;
    this.input = channels.get(0);
    if (!tty) {
      awaitReady(input, inputReady);
    }
  }

  /** Waits for the guest to have opened a stdin port. */
  static void await(CompletableFuture<Void> ready) throws IOException {
    try {
      ready.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the microVM to open stdin");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  /**
   * Completes {@code ready} at the first byte the guest sends on a stdin port (it sends one when
   * it opened the port), then reads on to the end. Writes and closing our side for an EOF wait
   * for it: the guest's driver drops what reaches a port it has not opened.
   */
  static void awaitReady(SocketChannel ch, CompletableFuture<Void> ready) {
    Thread.ofVirtual().name("microvm-stdin-ready").start(() -> {
      ByteBuffer buf = ByteBuffer.allocate(64);
      try {
        while (ch.read(buf.clear()) >= 0) {
          ready.complete(null);
        }
      } catch (IOException closed) {
        // closed: nothing more to wait for
      }
      ready.complete(null);
    });
  }

  /**
   * Connects the slot's sockets (before the guest opens its ports, so none reads an early EOF),
   * then asks the agent to start {@code command}; {@code onEnd} gets the slot back.
   */
  static GuestExec start(MicroVmPaths paths, GuestAgent agent, int slot, boolean tty, int rows, int cols,
      GuestCommand command, IntConsumer onEnd) {
    List<SocketChannel> open = new ArrayList<>();
    try {
      // tty: the console, then the exit port; else in, out, err, exit
      for (char stream : ExecSlots.streams(tty)) {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        open.add(ch);
        ch.connect(UnixDomainSocketAddress.of(paths.execSocket(slot, stream)));
      }
      GuestExec exec = new GuestExec(slot, tty, open);
      agent.startInSlot(slot, tty, rows, cols, command);
      exec.pump(open.get(tty ? 0 : 1), exec.stdout);
      if (!tty) {
        exec.pump(open.get(2), exec.stderr);
      } else {
        exec.stderr.end();
      }
      exec.awaitExit(open.getLast(), onEnd);
      return exec;
    } catch (IOException | RuntimeException e) {
      open.forEach(GuestExec::closeQuietly);
      onEnd.accept(slot);
      if (e instanceof BerthException b) {
        throw b;
      }
      throw new BerthException("cannot start the exec in the microVM: " + e.getMessage(), e);
    }
  }

  public boolean tty() {
    return tty;
  }

  /** The exec slot (the guest init knows the slot's terminal by it). */
  public int slot() {
    return slot;
  }

  /** Everything the process writes (with a TTY, stdout and stderr both); ends after the exit. */
  public InputStream stdout() {
    return stdout;
  }

  public InputStream stderr() {
    return stderr;
  }

  /** The process's stdin; closing it is an EOF in the guest (without a TTY). */
  public OutputStream stdin() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (!tty) {
          await(inputReady); // bytes that reach the port before the guest opened it are dropped
        }
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          input.write(buf);
        }
      }

      @Override
      public void close() {
        if (!tty) {
          inputReady.thenRun(() -> closeLater(input));
        }
      }
    };
  }

  /** The exit code, once the process ended. */
  public CompletableFuture<Integer> exit() {
    return exit;
  }

  private void pump(SocketChannel ch, QueueStream to) {
    Thread.ofVirtual().name("microvm-exec-out").start(() -> {
      ByteBuffer buf = ByteBuffer.allocate(16384);
      try {
        while (true) {
          buf.clear();
          int n = ch.read(buf);
          if (n < 0) {
            break;
          }
          lastOutput = System.nanoTime();
          to.add(java.util.Arrays.copyOf(buf.array(), n));
        }
      } catch (IOException closed) {
        // closed after the exit: the stream ends
      }
      to.end();
    });
  }

  private void awaitExit(SocketChannel ch, IntConsumer onEnd) {
    Thread.ofVirtual().name("microvm-exec-exit").start(() -> {
      int code;
      try {
        code = parseCode(readLine(ch));
      } catch (IOException e) {
        code = 255; // the VM ended under the exec
      }
      // The output ports are separate queues in QEMU and their readers are threads of their own:
      // what the process wrote before its exit may still be on its way (or unread in a socket).
      // So the output ends only after QUIET without new output, counted from the exit's arrival
      // at the earliest (counted from the last output only, an exec whose output was still unread
      // when its exit arrived lost it: seen in VmContainerInteractiveIT under load).
      long exitSeen = System.nanoTime();
      long deadline = exitSeen + DRAIN_LIMIT.toNanos();
      while (System.nanoTime() - Math.max(lastOutput, exitSeen) < QUIET.toNanos() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(QUIET.dividedBy(4));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      channels.forEach(GuestExec::closeQuietly);
      stdout.end();
      stderr.end();
      onEnd.accept(slot);
      exit.complete(code);
    });
  }

  static int parseCode(String line) {
    try {
      return Integer.parseInt(line.strip());
    } catch (NumberFormatException e) {
      return 255;
    }
  }

  private static String readLine(SocketChannel ch) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (true) {
      one.clear();
      if (ch.read(one) < 0) {
        throw new IOException("the exit port closed");
      }
      if (one.get(0) == '\n') {
        return line.toString(StandardCharsets.US_ASCII);
      }
      line.write(one.get(0));
    }
  }

  /**
   * Closes a stdin socket for an EOF in the guest, after a moment: QEMU drops what it has not
   * read from a client that hung up, and it reads only as fast as the guest takes the bytes.
   */
  static void closeLater(SocketChannel ch) {
    Thread.ofVirtual().name("microvm-stdin-eof").start(() -> {
      try {
        Thread.sleep(EOF_DELAY);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeQuietly(ch);
    });
  }

  static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** An input stream fed by a pump: chunks in order, then the end. */
  static final class QueueStream extends InputStream {
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    void add(byte[] chunk) {
      chunks.add(chunk);
    }

    void end() {
      chunks.add(END);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (pos >= current.length) {
        if (ended) {
          return -1;
        }
        try {
          byte[] next = chunks.take();
          if (next == END) {
            ended = true;
            return -1;
          }
          current = next;
          pos = 0;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
