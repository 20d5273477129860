package dev.berth.engine.build;

import java.util.ArrayList;
import java.util.List;

/**
 * Cancels a build in flight: the API side calls {@link #cancel()} when the client hangs up. A
 * running RUN container is killed; the build then fails and cleans up as after any failure.
 */
public final class BuildCancel {
  private final List<Runnable> onCancel = new ArrayList<>();
  private boolean cancelled;

  public synchronized void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    for (Runnable r : List.copyOf(onCancel)) {
      r.run();
    }
  }

  public synchronized boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code action} at cancel (at once if already cancelled); the returned handle unregisters it. */
  synchronized AutoCloseable whenCancelled(Runnable action) {
    if (cancelled) {
      action.run();
      return () -> {};
    }
    onCancel.add(action);
    return () -> {
      synchronized (this) {
        onCancel.remove(action);
      }
    };
  }

  /** Throws {@link BuildException} when cancelled. */
  void check() {
    if (isCancelled()) {
      throw new BuildException("the build was cancelled");
    }
  }
}
