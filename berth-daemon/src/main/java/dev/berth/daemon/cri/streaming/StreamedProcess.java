package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.OutputStream;
import java.util.OptionalInt;

/** A process the streaming server connects a client to: an exec's new process or an attached container's own. */
public interface StreamedProcess {
  /**
   * Copies the process's output to the client's streams until the output ends. A null stream was
   * not asked for: that output is read and dropped (a process must never block on a full pipe).
   * With a TTY all output is the terminal's and goes to {@code stdout}. A stream that fails (the
   * client went) is dropped from then on; the copy goes on until the process's output ends.
   */
  void copyOutput(OutputStream stdout, OutputStream stderr) throws IOException;

  /** The process's input; closing it is the end of input. */
  OutputStream stdin();

  /** Resizes the process's terminal (nothing without one). */
  void resize(TerminalSize size) throws IOException;

  /** After the output ended: the exit code of an exec; empty for an attach (the container runs on). */
  OptionalInt awaitExit() throws InterruptedException;

  /**
   * Lets go of what the connection holds (an attach's socket, which ends {@link #copyOutput});
   * the process itself is not stopped. Called when the client goes and again at the end.
   */
  void close();
}
