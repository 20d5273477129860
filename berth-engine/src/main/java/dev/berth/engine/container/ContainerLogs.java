package dev.berth.engine.container;

import dev.berth.engine.runtime.LogEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

  public static void stream(Path file, Options o, BooleanSupplier running, Sink sink) throws IOException {
    long offset = 0;
    StringBuilder[] partial = {new StringBuilder(), new StringBuilder()};
    List<Line> first = new ArrayList<>();
    offset = readFrom(file, offset, partial, first);
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
      List<Line> more = new ArrayList<>();
      offset = readFrom(file, offset, partial, more);
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
      try {
        Thread.sleep(FOLLOW_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
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
  static long readFrom(Path file, long offset, StringBuilder[] partial, List<Line> out) throws IOException {
    if (!Files.exists(file)) {
      return offset;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      if (length < offset) {
        offset = 0; // truncated by conmon's size limit
      }
      if (length == offset) {
        return offset;
      }
      byte[] bytes = new byte[(int) Math.min(length - offset, 16 * 1024 * 1024)];
      f.seek(offset);
      f.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
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
      return offset + start;
    }
  }
}
