package dev.berth.engine.runtime;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of conmon's k8s-file log: {@code <RFC3339Nano time> <stdout|stderr> <F|P> <content>}.
 * A partial (P) entry continues in the next one; a full (F) entry ended with a newline that the
 * file does not repeat.
 */
public record LogEntry(OffsetDateTime time, Stream stream, boolean partial, String content) {
  public enum Stream {
    STDOUT,
    STDERR
  }

  /** The bytes the process wrote, newline restored for full lines. */
  public String text() {
    return partial ? content : content + "\n";
  }

  /** Where an entry starts: its RFC3339 time. */
  private static final Pattern ENTRY_START = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:");

  /**
   * Parses one line; null when the line is not a k8s-file entry. A write that a full disk cut
   * short leaves the start of one entry glued to the next whole one: that next entry is kept.
   */
  public static LogEntry parse(String line) {
    LogEntry whole = parseWhole(line);
    if (whole != null) {
      return whole;
    }
    Matcher m = ENTRY_START.matcher(line);
    while (m.find()) {
      if (m.start() > 0) {
        LogEntry rest = parseWhole(line.substring(m.start()));
        if (rest != null) {
          return rest;
        }
      }
    }
    return null;
  }

  private static LogEntry parseWhole(String line) {
    int a = line.indexOf(' ');
    int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
    int c = b < 0 ? -1 : line.indexOf(' ', b + 1);
    if (c < 0 && b >= 0 && line.length() == b + 2) {
      c = line.length(); // an empty full line: "<time> stdout F"
    }
    if (a < 0 || b < 0 || c < 0) {
      return null;
    }
    Stream stream =
        switch (line.substring(a + 1, b)) {
          case "stdout" -> Stream.STDOUT;
          case "stderr" -> Stream.STDERR;
          default -> null;
        };
    String tag = line.substring(b + 1, Math.min(c, line.length()));
    if (stream == null || !(tag.equals("F") || tag.equals("P"))) {
      return null;
    }
    String content = c >= line.length() ? "" : line.substring(c + 1);
    try {
      return new LogEntry(OffsetDateTime.parse(line.substring(0, a)), stream, tag.equals("P"), content);
    } catch (DateTimeParseException notATime) {
      return null;
    }
  }
}
