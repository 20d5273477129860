package dev.berth.cli.command.container;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Docker's --since/--until values: RFC 3339, unix seconds, or a duration ago (10m, 1h30m, 5s). */
public final class TimeArgs {
  private TimeArgs() {}

  private static final String DURATION = "(\\d+(ns|us|ms|s|m|h))+";

  /** A Go duration of whole units (1h30m, 500ms, 10s), as docker's duration flags take them. */
  public static Duration duration(String value) {
    String v = value.strip();
    if (!v.matches(DURATION)) {
      throw new IllegalArgumentException("time: invalid duration \"" + value + "\"");
    }
    Duration d = Duration.ZERO;
    var m = java.util.regex.Pattern.compile("(\\d+)(ns|us|ms|s|m|h)").matcher(v);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ns" -> Duration.ofNanos(n);
        case "us" -> Duration.ofNanos(n * 1000);
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return d;
  }

  public static String unix(String value) {
    String v = value.strip();
    if (v.matches("\\d+(\\.\\d+)?")) {
      return v;
    }
    if (v.matches(DURATION)) {
      Duration d = duration(v);
      Instant t = Instant.now().minus(d);
      return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }
    try {
      Instant t = OffsetDateTime.parse(v).toInstant();
      return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid time value: " + value);
    }
  }
}
