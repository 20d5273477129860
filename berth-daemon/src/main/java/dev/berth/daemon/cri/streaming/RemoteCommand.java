package dev.berth.daemon.cri.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one exec or attach between a client's streams and a process, as kubelet's ServeExec and
 * ServeAttach: stdin copied in (its end closes the process's input), resize events applied,
 * output copied out until it ends, then the status on the error stream and the connection closed.
 */
final class RemoteCommand {
  private static final Logger log = LoggerFactory.getLogger(RemoteCommand.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Opens the process (an exec starts it; an attach connects to it). */
  interface Opener {
    StreamedProcess open() throws IOException;
  }

  private RemoteCommand() {}

  /**
   * @param cmd the exec's command, for the exit code's message; null for an attach
   * @param failureWords how kubelet prefixes a failure to start ("error executing command in container")
   */
  static void run(CommandStreams streams, Opener opener, boolean tty, List<String> cmd, String failureWords) {
    StreamedProcess process;
    try {
      process = opener.open();
    } catch (IOException | RuntimeException e) {
      log.debug("{}: {}", failureWords, e.getMessage());
      streams.writeStatus(StreamStatus.internalError(failureWords + ": " + e.getMessage()));
      streams.close();
      return;
    }
    // An attach ends with its client (the container runs on); an exec's process runs on, read and dropped.
    streams.onClientGone(process::close);
    Thread input = null;
    InputStream stdin = streams.stdin();
    if (stdin != null) {
      input = Thread.ofVirtual().name("stream-stdin").start(() -> copyInput(stdin, process.stdin()));
    }
    Thread resizes = null;
    InputStream resize = streams.resize();
    if (resize != null) {
      resizes = Thread.ofVirtual().name("stream-resize").start(() -> applyResizes(resize, process, tty));
    }
    StreamStatus status;
    try {
      process.copyOutput(streams.stdout(), streams.stderr());
      OptionalInt exit = process.awaitExit();
      status = exit.isEmpty() || exit.getAsInt() == 0 ? StreamStatus.success()
          : StreamStatus.exitCode(exit.getAsInt(), cmd == null ? List.of() : cmd);
    } catch (IOException e) {
      status = StreamStatus.internalError(failureWords + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = StreamStatus.internalError(failureWords + ": interrupted");
    } finally {
      process.close();
    }
    closeQuietly(streams.stdout());
    closeQuietly(streams.stderr());
    streams.writeStatus(status);
    streams.close();
    if (input != null) {
      input.interrupt();
    }
    if (resizes != null) {
      resizes.interrupt();
    }
  }

  private static void copyInput(InputStream from, OutputStream to) {
    try {
      from.transferTo(new FlushingStream(to));
    } catch (IOException e) {
      log.debug("stdin copy ended: {}", e.getMessage());
    } finally {
      closeQuietly(to);
    }
  }

  /** Each resize is a JSON object {@code {"Width":w,"Height":h}}, one after another; only a TTY uses them. */
  private static void applyResizes(InputStream from, StreamedProcess process, boolean tty) {
    try (MappingIterator<JsonNode> sizes = JSON.readerFor(JsonNode.class).readValues(from)) {
      while (sizes.hasNextValue()) {
        JsonNode size = sizes.nextValue();
        if (tty) {
          process.resize(new TerminalSize(size.path("Width").asInt(), size.path("Height").asInt()));
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("resize stream ended: {}", e.getMessage());
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException ignored) {
      // the other side is gone already
    }
  }

  /** Passes each chunk on at once: typed input must not wait in a buffer. */
  private static final class FlushingStream extends java.io.FilterOutputStream {
    FlushingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      out.flush();
    }
  }
}
