package dev.berth.engine.container;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * State.Health: the status a container's healthcheck gives it, the failures in a row and the
 * last five results, moved on by each result as dockerd's health monitor moves it (daemon/health.go).
 */
public record Health(String status, int failingStreak, List<Result> log) {
  public static final String STARTING = "starting";
  public static final String HEALTHY = "healthy";
  public static final String UNHEALTHY = "unhealthy";
  static final int LOG_ENTRIES = 5;
  /** Output kept per check, in bytes, as dockerd's (then "..." marks the cut). */
  static final int MAX_OUTPUT = 4096;

  public Health {
    log = List.copyOf(log);
  }

  /** A container's health when it starts: no result yet. */
  static Health starting() {
    return new Health(STARTING, 0, List.of());
  }

  /** One check: when it ran, its exit code (-1: it could not run or timed out) and its output. */
  public record Result(Instant start, Instant end, int exitCode, String output) {}

  /**
   * The health after {@code r}: exit 0 is healthy and ends the streak; a failure adds to the
   * streak (not while the container is still starting within its start period) and makes it
   * unhealthy once the streak reaches {@code retries}.
   */
  Health after(Result r, Instant containerStarted, Duration startPeriod, int retries) {
    List<Result> entries = new ArrayList<>(log);
    entries.add(r);
    if (entries.size() > LOG_ENTRIES) {
      entries = entries.subList(entries.size() - LOG_ENTRIES, entries.size());
    }
    if (r.exitCode() == 0) {
      return new Health(HEALTHY, 0, entries);
    }
    boolean inStartPeriod = status.equals(STARTING)
        && Duration.between(containerStarted, r.start()).compareTo(startPeriod) < 0;
    if (inStartPeriod) {
      return new Health(status, failingStreak, entries);
    }
    int streak = failingStreak + 1;
    return new Health(streak >= retries ? UNHEALTHY : status, streak, entries);
  }

  /** A check's output cut as dockerd cuts it. */
  static String truncated(byte[] output, int length) {
    String kept = new String(output, 0, Math.min(length, MAX_OUTPUT), java.nio.charset.StandardCharsets.UTF_8);
    return length > MAX_OUTPUT ? kept + "..." : kept;
  }
}
