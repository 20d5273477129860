package dev.berth.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests: checked every 50 ms, bounded by a deadline. */
public final class Poll {
  private Poll() {}

  /** True as soon as {@code condition} holds; false when {@code timeout} passed first. */
  public static boolean until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50); // polling interval; the deadline bounds the wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
