package dev.berth.engine.container;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timers of restart back-offs and healthchecks: one scheduler thread for every container's
 * timer (a heap of deadlines, no thread per sleep), each task run on a virtual thread of its own
 * so a slow start or check never holds up the others.
 */
final class SupervisionTimers implements AutoCloseable {
  private static final Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

  private final ScheduledThreadPoolExecutor scheduler;

  SupervisionTimers() {
    scheduler = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("berth-timers").unstarted(r));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Runs {@code task} after {@code delay}; cancel the returned future to drop it. */
  Future<?> schedule(Duration delay, Runnable task) {
    return scheduler.schedule(() -> VIRTUAL.execute(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
