package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import java.time.Duration;

/**
 * HostConfig.RestartPolicy: what berthd does when the container's process ends. Names and error
 * words as dockerd's (daemon/container.go, runconfig): {@code no}, {@code always},
 * {@code unless-stopped}, {@code on-failure} with an optional maximum retry count (0 = no limit).
 */
public record RestartPolicy(String name, int maximumRetryCount) {
  public static final RestartPolicy NO = new RestartPolicy("no", 0);

  public RestartPolicy {
    name = name == null || name.isEmpty() ? "no" : name;
  }

  /** A policy an update asked for, checked as at create (400 in dockerd's words). */
  public static RestartPolicy validated(String name, int maximumRetryCount) {
    return new RestartPolicy(name, maximumRetryCount).validated(false);
  }

  /** Docker's checks at create (and update): a known name, a count only for on-failure, never negative. */
  public RestartPolicy validated(boolean autoRemove) {
    switch (name) {
      case "no", "always", "unless-stopped", "on-failure" -> { }
      default -> throw new BerthException.InvalidArgument("invalid restart policy '" + name + "'");
    }
    if (maximumRetryCount < 0) {
      throw new BerthException.InvalidArgument("maximum retry count cannot be negative");
    }
    if (maximumRetryCount != 0 && !name.equals("on-failure")) {
      throw new BerthException.InvalidArgument("maximum retry count cannot be used with restart policy '" + name + "'");
    }
    if (autoRemove && !isNone()) {
      throw new BerthException.InvalidArgument("can't create 'AutoRemove' container with restart policy");
    }
    return this;
  }

  public boolean isNone() {
    return name.equals("no");
  }

  /**
   * Whether a process that ended with {@code exitCode} is started again, as dockerd's restart
   * manager decides: never after a manual stop or kill; on-failure only for a non-zero code while
   * retries are left ({@code restartsSoFar} of them used).
   */
  public boolean restartsAfterExit(int exitCode, boolean manuallyStopped, int restartsSoFar) {
    if (manuallyStopped) {
      return false;
    }
    return switch (name) {
      case "always", "unless-stopped" -> true;
      case "on-failure" -> exitCode != 0 && (maximumRetryCount == 0 || restartsSoFar < maximumRetryCount);
      default -> false;
    };
  }

  /**
   * Whether berthd starts the container when it starts itself: {@code always} even after a manual
   * stop (as Docker documents), {@code unless-stopped} unless stopped by hand, {@code on-failure}
   * when its last exit was a failure with retries left and no manual stop.
   */
  public boolean startsWithDaemon(int exitCode, boolean manuallyStopped, int restartsSoFar) {
    return switch (name) {
      case "always" -> true;
      default -> restartsAfterExit(exitCode, manuallyStopped, restartsSoFar);
    };
  }

  /**
   * dockerd's back-off between restarts: 100 ms, doubled for each restart in a row up to a minute,
   * and back to 100 ms once the container ran for 10 s.
   */
  public record Backoff(Duration delay) {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration MAX = Duration.ofMinutes(1);
    static final Duration RESET_AFTER = Duration.ofSeconds(10);
    public static final Backoff NONE = new Backoff(Duration.ZERO);

    /** The delay before the next restart of a container that ran for {@code ranFor}. */
    public Backoff next(Duration ranFor) {
      Duration d = ranFor.compareTo(RESET_AFTER) >= 0 ? Duration.ZERO : delay;
      d = d.isZero() ? FIRST : d.compareTo(MAX) < 0 ? d.multipliedBy(2) : d;
      return new Backoff(d.compareTo(MAX) > 0 ? MAX : d);
    }
  }
}
