package dev.berth.engine.container;

import dev.berth.engine.runtime.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's log (conmon's k8s-file lines) as Docker's logs endpoint wants it: whole
 * lines (partial P entries joined), per stream, with since/until/tail, optionally following the
 * file while the container runs.
 */
public final class ContainerLogs {
  private static final Duration FOLLOW_PAUSE = Duration.ofMillis(100);
  private static final int CHUNK = 1 << 20;

  /** @param tail lines from the end, or -1 for all */
  public record Options(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow) {}

  /** One line as the process wrote it (newline included when it ended one). */
  public record Line(Instant time, LogEntry.Stream stream, String text) {}

  /** Receives lines; throwing IOException (the client went away) ends the stream. */
  @FunctionalInterface
  public interface Sink {
    void accept(Line line) throws IOException;
  }

  private ContainerLogs() {}

  /**
   * Sends the log's lines to {@code sink}: those of the rotated files ({@code ctr.log.2},
   * {@code .1}, …) before the current file's. When following, it keeps the current file open, and
   * when a rotation gives the log a new file it first drains the old one, then reads every file
   * newer than it.
   */
  public static void stream(Path file, Options o, BooleanSupplier running, Sink sink) throws IOException {
    StringBuilder[] partial = {new StringBuilder(), new StringBuilder()};
    List<Line> first = new ArrayList<>();
    List<LogFiles.Open> files = LogFiles.openAll(file);
    LogFiles.Open current = files.isEmpty() ? null : files.getLast();
    long offset = 0;
    try {
      for (LogFiles.Open f : files) {
        offset = readFrom(f.channel(), 0, partial, first);
        if (f != current) {
          f.close();
        }
      }
      if (!o.follow()) {
        flushPartial(partial, first);
      }
      Deque<Line> selected = new ArrayDeque<>();
      for (Line l : first) {
        if (wanted(l, o)) {
          selected.add(l);
          if (o.tail() >= 0 && selected.size() > o.tail()) {
            selected.removeFirst();
          }
        }
      }
      if (o.tail() == 0) {
        selected.clear();
      }
      for (Line l : selected) {
        sink.accept(l);
      }
      if (!o.follow()) {
        return;
      }
      while (true) {
        boolean wasRunning = running.getAsBoolean();
        // Looked at before reading: a new file means conmon has finished with the old one.
        Object now = LogFiles.key(file);
        List<Line> more = new ArrayList<>();
        if (current != null) {
          offset = readFrom(current.channel(), offset, partial, more);
        }
        boolean rotated = false;
        if (now != null && (current == null || !now.equals(current.key()))) {
          List<LogFiles.Open> newer = newerThan(file, current);
          // None when the new file was rotated away before it could be opened: keep the old, look again.
          rotated = !newer.isEmpty();
          for (LogFiles.Open f : newer) {
            if (current != null) {
              current.close();
            }
            current = f;
            offset = readFrom(f.channel(), 0, partial, more);
          }
        }
        for (Line l : more) {
          if (wanted(l, o)) {
            sink.accept(l);
          }
        }
        if (!wasRunning || (o.until() != null && Instant.now().isAfter(o.until()))) {
          List<Line> rest = new ArrayList<>();
          flushPartial(partial, rest);
          for (Line l : rest) {
            if (wanted(l, o)) {
              sink.accept(l);
            }
          }
          return;
        }
        if (rotated) {
          continue; // more may have come in while switching files
        }
        try {
          Thread.sleep(FOLLOW_PAUSE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      if (current != null) {
        current.close();
      }
    }
  }

  /**
   * The log's files that are newer than {@code old}, oldest first. When {@code old} is gone from
   * the list (rotated out), all of them are: files leave the list oldest first.
   */
  private static List<LogFiles.Open> newerThan(Path file, LogFiles.Open old) throws IOException {
    List<LogFiles.Open> all = LogFiles.openAll(file);
    int at = -1;
    for (int i = 0; i < all.size(); i++) {
      if (old != null && all.get(i).key().equals(old.key())) {
        at = i;
      }
    }
    LogFiles.closeAll(all.subList(0, at + 1));
    return new ArrayList<>(all.subList(at + 1, all.size()));
  }

  /** Output that never ended with a newline (the process exited mid-line). */
  private static void flushPartial(StringBuilder[] partial, List<Line> out) {
    for (LogEntry.Stream s : LogEntry.Stream.values()) {
      if (!partial[s.ordinal()].isEmpty()) {
        out.add(new Line(Instant.now(), s, partial[s.ordinal()].toString()));
        partial[s.ordinal()].setLength(0);
      }
    }
  }

  private static boolean wanted(Line l, Options o) {
    if (l.stream() == LogEntry.Stream.STDOUT ? !o.stdout() : !o.stderr()) {
      return false;
    }
    if (o.since() != null && l.time().isBefore(o.since())) {
      return false;
    }
    return o.until() == null || !l.time().isAfter(o.until());
  }

  /** Reads whole lines from {@code offset}; returns the offset after the last whole line. */
  static long readFrom(FileChannel f, long offset, StringBuilder[] partial, List<Line> out) throws IOException {
    long length = f.size();
    if (length < offset) {
      offset = 0; // truncated in place (conmon replaces files instead, but be safe)
    }
    while (length > offset) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length - offset, CHUNK));
      while (buf.hasRemaining() && f.read(buf, offset + buf.position()) > 0) {
        // fill the chunk
      }
      byte[] bytes = buf.array();
      int end = buf.position();
      int start = 0;
      for (int i = 0; i < end; i++) {
        if (bytes[i] == '\n') {
          String raw = new String(bytes, start, i - start, StandardCharsets.UTF_8);
          start = i + 1;
          LogEntry e = LogEntry.parse(raw);
          if (e == null) {
            continue;
          }
          StringBuilder p = partial[e.stream().ordinal()];
          p.append(e.content());
          if (!e.partial()) {
            out.add(new Line(e.time().toInstant(), e.stream(), p + "\n"));
            p.setLength(0);
          }
        }
      }
      if (start == 0) {
        return offset; // the rest of a line still being written (conmon's lines are far shorter than a chunk)
      }
      offset += start;
    }
    return offset;
  }
}
