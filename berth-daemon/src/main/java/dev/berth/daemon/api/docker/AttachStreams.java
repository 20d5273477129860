package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawStream;
import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.LogEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Docker's attach streams: the multiplexed frame, detach keys, and the copy between a session and a client. */
public final class AttachStreams {
  public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
  public static final String RAW = "application/vnd.docker.raw-stream";
  public static final String DETACH_KEYS = "ctrl-p,ctrl-q";

  private AttachStreams() {}

  /**
   * Takes over the connection for an attach; when that fails (the client went away) the attach
   * is given up, and closed if it was already open, so conmon's socket is not left behind.
   */
  public static RawStream hijackOrLetGo(ApiResponse res, String contentType, CompletableFuture<AttachSession> attach)
      throws IOException {
    try {
      return res.hijack(contentType);
    } catch (IOException | RuntimeException e) {
      attach.cancel(false);
      if (!attach.isCancelled()) {
        attach.thenAccept(AttachStreams::closeQuietly);
      }
      throw e;
    }
  }

  private static void closeQuietly(AttachSession session) {
    try {
      session.close();
    } catch (IOException ignored) {
      // the client is gone already; this only frees the socket
    }
  }

  /**
   * Copies the container's output to the client (in frames, or as it comes for a TTY's raw
   * stream) on a platform thread, because reading conmon's socket blocks in native code, and the
   * client's input to stdin. Returns when the output ends; true when it ended because the client
   * typed the detach sequence (the container keeps running).
   */
  public static boolean pump(AttachSession session, RawStream raw, boolean framed, boolean stdin, boolean stdout,
      boolean stderr, byte[] detachKeys) throws IOException {
    OutputStream out = raw.output();
    Thread reader = Thread.ofPlatform().daemon().name("attach-out").start(() -> {
      try {
        AttachSession.Frame f;
        while ((f = session.read()) != null) {
          boolean isOut = f.stream() == LogEntry.Stream.STDOUT;
          if (isOut ? !stdout : !stderr) {
            continue;
          }
          synchronized (out) {
            if (framed) {
              writeFrame(out, isOut ? 1 : 2, f.data());
            } else {
              out.write(f.data());
            }
          }
        }
      } catch (IOException e) {
        // The client or conmon went away: the attach is over.
      }
    });
    AtomicBoolean detached = new AtomicBoolean();
    Thread writer = null;
    if (stdin) {
      writer = Thread.ofVirtual().start(() -> {
        try {
          InputStream in = raw.input();
          byte[] buf = new byte[8192];
          int matched = 0;
          int n;
          while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
              matched = buf[i] == detachKeys[matched] ? matched + 1 : (buf[i] == detachKeys[0] ? 1 : 0);
              if (matched == detachKeys.length) {
                detached.set(true);
                session.close(); // detach: the container keeps running
                return;
              }
            }
            session.writeStdin(Arrays.copyOf(buf, n));
          }
          session.closeStdin();
        } catch (IOException e) {
          // client gone
        }
      });
    }
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      session.close();
      if (writer != null) {
        writer.interrupt();
      }
    }
    return detached.get();
  }

  /**
   * dockerd's content type for an attach or exec answer: the multiplexed-stream type only for an
   * upgraded connection at API 1.42 or later, else raw-stream (also for multiplexed frames).
   */
  public static String contentType(dev.berth.daemon.http.ApiRequest req, boolean multiplexed) {
    boolean upgrade = req.header("Upgrade").isPresent();
    boolean recent = req.apiVersion().map(v -> !v.isOlderThan(new dev.berth.daemon.http.ApiVersion(1, 42)))
        .orElse(true);
    return multiplexed && upgrade && recent ? MULTIPLEXED : RAW;
  }

  /**
   * Copies a client's input to a process until it ends or the client types the detach sequence;
   * true when it was the detach (the sequence itself is not passed on).
   */
  public static boolean copyUntilDetach(InputStream in, OutputStream to, byte[] detachKeys) throws IOException {
    byte[] buf = new byte[8192];
    int matched = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        matched = buf[i] == detachKeys[matched] ? matched + 1 : (buf[i] == detachKeys[0] ? 1 : 0);
        if (matched == detachKeys.length) {
          int keep = i + 1 - detachKeys.length - start;
          if (keep > 0) {
            to.write(buf, start, keep);
            to.flush();
          }
          return true;
        }
      }
      to.write(buf, start, n);
      to.flush();
    }
    return false;
  }

  /** The bytes of a detach sequence such as {@code ctrl-p,ctrl-q}; 400 naming it when it is not one. */
  public static byte[] detachSequence(String spec) {
    String[] keys = spec.split(",");
    byte[] out = new byte[keys.length];
    for (int i = 0; i < keys.length; i++) {
      String k = keys[i].strip().toLowerCase();
      if (k.startsWith("ctrl-") && k.length() == 6) {
        char ch = k.charAt(5);
        out[i] = (byte) (ch == '@' ? 0 : ch == '[' ? 27 : ch == '\\' ? 28 : ch == ']' ? 29 : ch == '^' ? 30
            : ch == '_' ? 31 : ch - 'a' + 1);
      } else if (k.length() == 1) {
        out[i] = (byte) k.charAt(0);
      } else {
        throw new BerthException.InvalidArgument("Invalid detach keys (" + spec + ") provided");
      }
    }
    return out;
  }

  /** Docker's multiplexed frame: {stream, 0, 0, 0, big-endian uint32 size} then the data. */
  public static void writeFrame(OutputStream out, int stream, byte[] data) throws IOException {
    int n = data.length;
    out.write(new byte[] {(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    out.write(data);
    out.flush();
  }
}
