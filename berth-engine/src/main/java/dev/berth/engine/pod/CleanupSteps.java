package dev.berth.engine.pod;

import java.util.List;

/**
 * Steps of a stop or teardown that must all run even when one fails (each frees a host resource):
 * a failure is kept for the caller, and the threads running steps are waited for through
 * interrupts.
 */
final class CleanupSteps {
  private CleanupSteps() {}

  /** Runs {@code step}; a failure goes to {@code failures} instead of ending the caller's steps. */
  static void collect(List<RuntimeException> failures, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failures.add(e);
    }
  }

  /** Waits for every thread to end, through interrupts (kept for the caller): the steps must finish. */
  static void joinAll(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
