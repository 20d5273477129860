package dev.berth.engine.container;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import dev.berth.engine.runtime.ConmonExec;

/**
 * A running exec, its stdio as streams, so output flows while the process runs and stdin
 * reaches it ({@code exec -i}): {@code runc exec} as berthd's child with pipes, or — with a TTY —
 * a conmon session holding the console runc allocates in the container's devpts
 * ({@link ConmonExec}; a microVM's exec is a process with pipes too). The exit code is the
 * process's; a process that could not be started gets Docker's 127 (not found) or 126 (not executable).
 */
public final class ExecSession {
  private final Process process;
  private final Path specFile;
  /** Where runc reports a failed start: stderr, or the terminal with a TTY. */
  private final TailStream failures;
  private final IntConsumer onExit;
  private final ConmonExec console;
  private final InputStream consoleOutput;
  /** With a remote terminal the process's stdout carries the terminal's output. */
  private final RemoteTerminal remote;

  /** A terminal that is not a local console: a microVM's, resized in the guest. */
  interface RemoteTerminal {
    void resize(int rows, int cols) throws IOException;
  }

  /** A process with pipes for its stdio. */
  ExecSession(Process process, Path specFile, IntConsumer onExit) {
    this(process, specFile, (RemoteTerminal) null, onExit);
  }

  /** An exec whose terminal, if any, is elsewhere (a microVM's): stdio is the process's streams. */
  ExecSession(Process process, Path specFile, RemoteTerminal remote, IntConsumer onExit) {
    this.process = process;
    this.specFile = specFile;
    this.console = null;
    this.consoleOutput = null;
    this.remote = remote;
    this.failures = new TailStream(process.getErrorStream());
    this.onExit = onExit;
  }

  /** A TTY exec under conmon, attached already. */
  ExecSession(ConmonExec console, IntConsumer onExit) {
    this.process = null;
    this.specFile = null;
    this.console = console;
    this.consoleOutput = new ConsoleOutput(console);
    this.remote = null;
    this.failures = null;
    this.onExit = onExit;
  }

  /** Everything the process writes (with a TTY, stdout and stderr both). Blocks in native code with a TTY. */
  public InputStream stdout() {
    if (console != null) {
      return consoleOutput;
    }
    return process.getInputStream();
  }

  public InputStream stderr() {
    return console == null ? failures : InputStream.nullInputStream();
  }

  public OutputStream stdin() {
    if (console != null) {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          console.attach().writeStdin(java.util.Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void close() {
          // The terminal stays: conmon would close the console's input, and a shell reading it
          // would end; an exec ends with its process, as dockerd's does.
        }
      };
    }
    return process.getOutputStream();
  }

  public boolean tty() {
    return console != null || remote != null;
  }

  /** Resizes the exec's terminal; nothing to do without one. */
  public void resize(int rows, int cols) throws IOException {
    if (console != null) {
      console.resize(rows, cols);
    }
    if (remote != null) {
      remote.resize(rows, cols);
    }
  }

  /** Waits for the process (read its output first, or it may block on a full pipe). */
  public int waitFor() throws InterruptedException {
    if (console != null) {
      int code;
      try {
        ConmonExec.Exit exit = console.waitFor();
        code = exit.runtimeError() == null ? exit.code() : startFailure(exit.runtimeError());
      } catch (IOException e) {
        code = 126;
      } finally {
        console.close();
      }
      onExit.accept(code);
      return code;
    }
    int code = process.waitFor();
    if (code == 255) {
      // runc's own failure (exit 255) names the reason on stderr, e.g. the command not found.
      int mapped = StartFailures.exitCode(failures.tail());
      code = mapped == 128 ? 126 : mapped;
      if (!failures.tail().contains("exec failed")) {
        code = 255; // the process itself exited 255
      }
    }
    try {
      Files.deleteIfExists(specFile);
    } catch (IOException ignored) {
      // a stale spec file is harmless; the container's directory goes with it
    }
    onExit.accept(code);
    return code;
  }

  private static int startFailure(String runtimeError) {
    int mapped = StartFailures.exitCode(runtimeError);
    return mapped == 128 ? 126 : mapped;
  }

  /**
   * The console's output from conmon's attach socket; when it ends, a process that never
   * started gets the runtime's error on the terminal, in dockerd's words.
   */
  private static final class ConsoleOutput extends InputStream {
    private final ConmonExec console;
    private byte[] pending = new byte[0];
    private int at;
    private boolean ended;

    ConsoleOutput(ConmonExec console) {
      this.console = console;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (at >= pending.length) {
        if (ended) {
          return -1;
        }
        var frame = console.attach().read();
        if (frame == null) {
          ended = true;
          ConmonExec.Exit exit = console.waitFor();
          if (exit.runtimeError() == null) {
            return -1;
          }
          pending = ("OCI runtime exec failed: " + exit.runtimeError() + ": unknown\r\n")
              .getBytes(StandardCharsets.UTF_8);
        } else {
          pending = frame.data();
        }
        at = 0;
      }
      int n = Math.min(len, pending.length - at);
      System.arraycopy(pending, at, b, off, n);
      at += n;
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** Keeps the last bytes read, to explain a failed start. */
  private static final class TailStream extends FilterInputStream {
    private final StringBuilder tail = new StringBuilder();

    TailStream(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        synchronized (tail) {
          tail.append(new String(b, off, n, StandardCharsets.UTF_8));
          if (tail.length() > 4096) {
            tail.delete(0, tail.length() - 4096);
          }
        }
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    String tail() {
      synchronized (tail) {
        return tail.toString();
      }
    }
  }
}
