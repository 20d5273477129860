package dev.berth.cli.command.container;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Docker's --since/--until values: RFC 3339, unix seconds, or a duration ago (10m, 1h30m, 5s). */
public final class TimeArgs {
  private TimeArgs() {}

  public static String unix(String value) {
    String v = value.strip();
    if (v.matches("\\d+(\\.\\d+)?")) {
      return v;
    }
    if (v.matches("(\\d+(ms|s|m|h))+")) {
      Duration d = Duration.ZERO;
      var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(v);
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        d = d.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
      }
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
