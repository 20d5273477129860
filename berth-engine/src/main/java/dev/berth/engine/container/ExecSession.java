package dev.berth.engine.container;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import dev.berth.engine.sys.ProcessSignal;
import dev.berth.engine.sys.Pty;

/**
 * A running exec: {@code runc exec} as berthd's child, its stdio as streams, so output flows
 * while the process runs and stdin reaches it ({@code exec -i}). With a TTY the process's stdio
 * is a console runc allocates in the container's devpts ({@code terminal: true}); runc relays it
 * to its own stdio, the slave of a pty Berth holds the master of. The exit code is the process's;
 * a process that could not be started gets Docker's 127 (not found) or 126 (not executable).
 */
public final class ExecSession {
  private final Process process;
  private final Path specFile;
  /** Where runc reports a failed start: stderr, or the terminal with a TTY. */
  private final TailStream failures;
  private final IntConsumer onExit;
  private final Pty pty;

  /** A terminal that is not a local pty: a microVM's, resized in the guest. */
  interface RemoteTerminal {
    void resize(int rows, int cols) throws IOException;
  }

  /** With a remote terminal the process's stdout carries the terminal's output. */
  private final RemoteTerminal remote;

  /** @param pty the terminal runc has as its stdio, or null for pipes */
  ExecSession(Process process, Path specFile, Pty pty, IntConsumer onExit) {
    this(process, specFile, pty, null, onExit);
  }

  /** An exec whose terminal is elsewhere (a microVM's): stdio is the process's streams. */
  ExecSession(Process process, Path specFile, RemoteTerminal remote, IntConsumer onExit) {
    this(process, specFile, null, remote, onExit);
  }

  private ExecSession(Process process, Path specFile, Pty pty, RemoteTerminal remote, IntConsumer onExit) {
    this.process = process;
    this.specFile = specFile;
    this.pty = pty;
    this.remote = remote;
    this.failures = new TailStream(pty == null ? process.getErrorStream() : pty.input());
    this.onExit = onExit;
  }

  /** Everything the process writes (with a TTY, stdout and stderr both). Blocks in native code with a TTY. */
  public InputStream stdout() {
    return pty == null ? process.getInputStream() : failures;
  }

  public InputStream stderr() {
    return pty == null ? failures : InputStream.nullInputStream();
  }

  public OutputStream stdin() {
    return pty == null ? process.getOutputStream() : pty.output();
  }

  public boolean tty() {
    return pty != null || remote != null;
  }

  /** Resizes the exec's terminal; nothing to do without one. */
  public void resize(int rows, int cols) throws IOException {
    if (remote != null) {
      remote.resize(rows, cols);
    }
    if (pty != null) {
      pty.resize(rows, cols);
      // runc is not in the pty's session, so no SIGWINCH reaches it from the kernel; on this
      // signal it copies its terminal's size to the container's console.
      if (process.isAlive()) {
        ProcessSignal.send(process.pid(), ProcessSignal.SIGWINCH);
      }
    }
  }

  /** Waits for the process (read its output first, or it may block on a full pipe). */
  public int waitFor() throws InterruptedException {
    int code = process.waitFor();
    if (pty != null) {
      pty.close();
    }
    if (code == 255) {
      // runc's own failure (exit 255) names the reason on stderr, e.g. the command not found.
      int mapped = ContainerService.startFailureCode(failures.tail());
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
