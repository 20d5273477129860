package dev.berth.engine.container;

import java.time.Duration;
import java.util.List;

/**
 * Config.Healthcheck as Docker stores it: the test ({@code ["NONE"]}, {@code ["CMD", args…]},
 * {@code ["CMD-SHELL", command]}) and durations in nanoseconds, 0 meaning "inherit" (the image's,
 * then Docker's default). An empty test inherits the image's test.
 */
public record Healthcheck(List<String> test, long interval, long timeout, long startPeriod, long startInterval,
    int retries) {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
  static final int DEFAULT_RETRIES = 3;

  public Healthcheck {
    test = test == null ? List.of() : List.copyOf(test);
  }

  /** No check: no test, or NONE. */
  public boolean disabled() {
    return test.isEmpty() || test.getFirst().equals("NONE");
  }

  /** The container's check over the image's: each unset field (empty test, 0) takes the image's. */
  static Healthcheck merge(Healthcheck container, Healthcheck image) {
    if (container == null) {
      return image;
    }
    if (image == null) {
      return container;
    }
    return new Healthcheck(container.test.isEmpty() ? image.test : container.test,
        container.interval != 0 ? container.interval : image.interval,
        container.timeout != 0 ? container.timeout : image.timeout,
        container.startPeriod != 0 ? container.startPeriod : image.startPeriod,
        container.startInterval != 0 ? container.startInterval : image.startInterval,
        container.retries != 0 ? container.retries : image.retries);
  }

  /** The process a check runs: CMD's arguments, or CMD-SHELL's command under /bin/sh -c. */
  List<String> command() {
    return switch (test.getFirst()) {
      case "CMD" -> test.subList(1, test.size());
      case "CMD-SHELL" -> List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
      default -> test; // an image built by other tools may omit the prefix
    };
  }

  Duration intervalOrDefault() {
    return interval > 0 ? Duration.ofNanos(interval) : DEFAULT_INTERVAL;
  }

  Duration timeoutOrDefault() {
    return timeout > 0 ? Duration.ofNanos(timeout) : DEFAULT_TIMEOUT;
  }

  Duration startPeriodOrDefault() {
    return startPeriod > 0 ? Duration.ofNanos(startPeriod) : Duration.ZERO;
  }

  Duration startIntervalOrDefault() {
    return startInterval > 0 ? Duration.ofNanos(startInterval) : DEFAULT_START_INTERVAL;
  }

  int retriesOrDefault() {
    return retries > 0 ? retries : DEFAULT_RETRIES;
  }
}
