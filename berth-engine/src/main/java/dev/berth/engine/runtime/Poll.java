package dev.berth.engine.runtime;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, checking often at first and less often later. */
final class Poll {
  private Poll() {}

  /** True as soon as {@code condition} holds; false when {@code timeout} passed first. */
  static boolean until(Duration timeout, BooleanSupplier condition) {
    return until(timeout, 4, condition);
  }

  /**
   * As {@link #until(Duration, BooleanSupplier)}, pausing at most {@code maxPauseMillis} between
   * checks: a caller on the path of every container start keeps it at 1 ms.
   */
  static boolean until(Duration timeout, long maxPauseMillis, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 1;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return condition.getAsBoolean();
      }
      // Short pauses: callers wait for a runtime step of tens of milliseconds, and a start is
      // only as fast as this notices it (a stat of a pidfile costs microseconds).
      pauseMillis = Math.min(pauseMillis * 2, maxPauseMillis);
    }
  }
}
