package dev.berth.engine.microvm;

import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.LogEntry;
import dev.berth.engine.sys.UntrustedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the guest's stdout and stderr into the container's log, in conmon's k8s-file format (so
 * {@code logs} reads it like any other), and hands the same bytes to attached clients. It reads
 * the two files of the output share, which the guest writes itself (decision 3400), or, when the
 * container has none (a terminal, stdin, or a microVM an older berthd started), what QEMU wrote
 * for its stdout and stderr ports. It reads from where it got to (kept in a small file outside
 * the share, so a restarted berthd neither repeats nor loses output). The share's files are the
 * guest's: they are read only as regular files and never through a link ({@link UntrustedFile}).
 */
final class OutputPump {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX").withZone(ZoneOffset.UTC);
  private static final AttachSession.Frame END = new AttachSession.Frame(LogEntry.Stream.STDOUT, new byte[0]);

  private static final Logger logger = LoggerFactory.getLogger(OutputPump.class);

  private final MicroVmPaths paths;
  private final Path log;
  /** The files read for stdout and stderr. */
  private final Path[] sources;
  private final long[] offsets = new long[2];
  /** Whether a source was found not to be a regular file (said once in berthd's log). */
  private final boolean[] refused = new boolean[2];
  private final List<BlockingQueue<AttachSession.Frame>> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean ended;

  OutputPump(MicroVmPaths paths, Path log) {
    this.paths = paths;
    this.log = log;
    this.sources = sources(paths);
    try {
      String[] saved = Files.readString(paths.offsets()).strip().split(" ");
      offsets[0] = Long.parseLong(saved[0]);
      offsets[1] = Long.parseLong(saved[1]);
    } catch (IOException | RuntimeException e) {
      // none yet: from the start
    }
  }

  /**
   * The output share's files when the share exists (berthd made it at the launch), else the files
   * QEMU writes for the ports. Decided once: the share is made before QEMU starts.
   */
  /** Whether the output comes from the guest's share rather than QEMU's port files. */
  boolean fromShare() {
    return sources[0].equals(paths.outputStdout());
  }

  static Path[] sources(MicroVmPaths paths) {
    return Files.isDirectory(paths.outputDir(), LinkOption.NOFOLLOW_LINKS)
        ? new Path[] {paths.outputStdout(), paths.outputStderr()}
        : new Path[] {paths.stdout(), paths.stderr()};
  }

  /** Reads what is new; returns the number of bytes. */
  int drain() throws IOException {
    int n = drain(LogEntry.Stream.STDOUT, sources[0]) + drain(LogEntry.Stream.STDERR, sources[1]);
    if (n > 0) {
      Files.writeString(paths.offsets(), offsets[0] + " " + offsets[1] + "\n");
    }
    return n;
  }

  private int drain(LogEntry.Stream stream, Path file) throws IOException {
    int i = stream.ordinal();
    byte[] data;
    try (FileChannel f = UntrustedFile.openRegular(file, offsets[i])) {
      long length = f.size();
      if (length <= offsets[i]) {
        return 0;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length - offsets[i], 1 << 20));
      while (buf.hasRemaining() && f.read(buf, offsets[i] + buf.position()) > 0) {
        // until the chunk is in (a file the guest shortened meanwhile: what is there)
      }
      data = java.util.Arrays.copyOf(buf.array(), buf.position());
    } catch (NoSuchFileException e) {
      return 0;
    } catch (UntrustedFile.NotRegular e) {
      // The guest replaced its output file by a link, FIFO or device, or made a hole in it (a
      // truncate to terabytes): its output from then on is lost.
      if (!refused[i]) {
        refused[i] = true;
        logger.warn("microVM output: {}", e.getMessage());
      }
      return 0;
    }
    if (data.length == 0) {
      return 0;
    }
    try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write(k8sLines(stream, data, Instant.now()));
    }
    offsets[i] += data.length;
    for (BlockingQueue<AttachSession.Frame> q : subscribers) {
      q.add(new AttachSession.Frame(stream, data));
    }
    return data.length;
  }

  /** conmon's form: a full line per newline (F), and what is left after the last one as a partial entry (P). */
  static byte[] k8sLines(LogEntry.Stream stream, byte[] data, Instant time) {
    byte[] prefix = (TIME.format(time) + " " + stream.name().toLowerCase() + " ").getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 64);
    int start = 0;
    for (int i = 0; i <= data.length; i++) {
      boolean newline = i < data.length && data[i] == '\n';
      if (newline || (i == data.length && start < data.length)) {
        out.writeBytes(prefix);
        out.writeBytes(newline ? new byte[] {'F', ' '} : new byte[] {'P', ' '});
        out.write(data, start, i - start);
        out.write('\n');
        start = i + 1;
      }
    }
    return out.toByteArray();
  }

  /** Where an attached client's input goes: the main process's stdin in the guest. */
  interface StdinSink {
    void write(byte[] data) throws IOException;

    void close() throws IOException;

    StdinSink NONE = new StdinSink() {
      @Override
      public void write(byte[] data) {
        // the main process has no stdin (no -i)
      }

      @Override
      public void close() {
        // no stdin
      }
    };
  }

  /** Output from now on; the session ends when the guest's output does. */
  AttachSession subscribe(StdinSink stdin) {
    BlockingQueue<AttachSession.Frame> queue = new LinkedBlockingQueue<>();
    subscribers.add(queue);
    if (ended) {
      queue.add(END);
    }
    return AttachSession.of(new AttachSession.Endpoint() {
      @Override
      public AttachSession.Frame read() throws IOException {
        try {
          AttachSession.Frame f = queue.take();
          return f == END ? null : f;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }

      @Override
      public void writeStdin(byte[] data) throws IOException {
        stdin.write(data);
      }

      @Override
      public void closeStdin() throws IOException {
        stdin.close();
      }

      @Override
      public void close() {
        subscribers.remove(queue);
        queue.add(END);
      }
    });
  }

  /** Ends every attached session (after the last drain). */
  void end() {
    ended = true;
    subscribers.forEach(q -> q.add(END));
  }
}
