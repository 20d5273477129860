package dev.berth.engine.container;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs restart policies (HostConfig.RestartPolicy) as dockerd's restart manager does: after an
 * exit the policy decides, the container is "restarting" for a back-off, then started again. A
 * stop or kill by hand ends it (and is remembered in the row, for unless-stopped); berthd's own
 * start picks up restarting containers and starts always/unless-stopped ones.
 */
final class RestartSupervisor {
  private static final Logger log = LoggerFactory.getLogger(RestartSupervisor.class);

  /** Starts a container that is restarting (under its lock; nothing when it no longer is). */
  interface Starter {
    void startForPolicy(String id);
  }

  private final ContainerStore store;
  private final SupervisionTimers timers;
  private final Starter starter;
  private final Map<String, RestartPolicy.Backoff> backoffs = new ConcurrentHashMap<>();
  private final Map<String, Future<?>> pending = new ConcurrentHashMap<>();

  RestartSupervisor(ContainerStore store, SupervisionTimers timers, Starter starter) {
    this.store = store;
    this.timers = timers;
    this.starter = starter;
  }

  /**
   * The policy's answer to an exit: the back-off before the restart, or empty when the container
   * stays exited. Pure: the caller keeps {@code previous} per container.
   */
  static Optional<RestartPolicy.Backoff> plan(Container exited, boolean manuallyStopped,
      RestartPolicy.Backoff previous) {
    if (!(exited.state() instanceof ContainerState.Exited e)) {
      return Optional.empty();
    }
    Duration ranFor = e.startedAt().equals(Instant.EPOCH) ? Duration.ZERO
        : Duration.between(e.startedAt(), e.finishedAt());
    RestartPolicy.Backoff next = previous.next(ranFor);
    return exited.config().restartPolicy().restartsAfterExit(e.exitCode(), manuallyStopped, exited.restartCount())
        ? Optional.of(next) : Optional.empty();
  }

  /** After an exit was recorded: true when the policy restarts the container (it is then restarting). */
  boolean exited(Container exited) {
    RestartPolicy policy = exited.config().restartPolicy();
    if (policy.isNone() || !(exited.state() instanceof ContainerState.Exited e)) {
      return false;
    }
    String id = exited.id();
    RestartPolicy.Backoff previous = backoffs.getOrDefault(id, RestartPolicy.Backoff.NONE);
    Optional<RestartPolicy.Backoff> plan = plan(exited, store.table.manuallyStopped(id), previous);
    if (plan.isEmpty()) {
      return false;
    }
    backoffs.put(id, plan.get());
    ReentrantLock lock = store.lock(id);
    lock.lock();
    try {
      Optional<Container> now = store.byId(id);
      if (now.isEmpty() || !(now.get().state() instanceof ContainerState.Exited current)
          || current.finishedAt().toEpochMilli() != e.finishedAt().toEpochMilli()) { // the row keeps milliseconds
        return false; // removed or started again meanwhile
      }
      markRestarting(now.get(), current.exitCode(), current.startedAt(), current.finishedAt(), exited.restartCount() + 1);
    } finally {
      lock.unlock();
    }
    log.info("container {} exited with {}: restarting in {} ms ({} policy)", exited.shortId(), e.exitCode(),
        plan.get().delay().toMillis(), policy.name());
    schedule(id, plan.get().delay());
    return true;
  }

  private void markRestarting(Container c, int exitCode, Instant started, Instant finished, int restartCount) {
    store.save(c.withState(new ContainerState.Restarting(exitCode, started, finished)), Instant.EPOCH, Instant.EPOCH);
    store.saveRestartCount(c.id(), restartCount);
  }

  private void schedule(String id, Duration delay) {
    Future<?> previous = pending.put(id, timers.schedule(delay, () -> {
      pending.remove(id);
      try {
        starter.startForPolicy(id);
      } catch (RuntimeException ex) {
        log.warn("container {}: the restart policy could not start it: {}", id.substring(0, 12), ex.getMessage());
      }
    }));
    if (previous != null) {
      previous.cancel(false);
    }
  }

  /**
   * A stop or kill by hand: the policy no longer restarts the container (remembered in the row); a
   * restarting one stops restarting and is exited. True when it was restarting.
   */
  boolean stoppedByHand(Container c) {
    if (!c.config().restartPolicy().isNone()) {
      store.table.setManuallyStopped(c.id(), true);
    }
    cancelPending(c.id());
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    try {
      Optional<Container> now = store.byId(c.id());
      if (now.isPresent() && now.get().state() instanceof ContainerState.Restarting r) {
        store.save(now.get().withState(new ContainerState.Exited(r.exitCode(), r.startedAt(), r.finishedAt(), false,
            "")), Instant.EPOCH, Instant.EPOCH);
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** A start by hand (lock held): no restart pending, no manual stop remembered, the count back to 0 (as dockerd). */
  void startedByHand(Container c) {
    cancelPending(c.id());
    backoffs.remove(c.id());
    if (store.table.manuallyStopped(c.id())) {
      store.table.setManuallyStopped(c.id(), false);
    }
    if (c.restartCount() != 0) {
      store.saveRestartCount(c.id(), 0);
    }
  }

  /** The container is gone. */
  void forget(String id) {
    cancelPending(id);
    backoffs.remove(id);
  }

  private void cancelPending(String id) {
    Future<?> f = pending.remove(id);
    if (f != null) {
      f.cancel(false);
    }
  }

  /**
   * berthd started: restarting containers carry on (their back-off was cut by the restart), and
   * exited ones whose policy says so start, as dockerd starts them when it starts.
   */
  void onDaemonStart(List<Container> containers) {
    for (Container c : containers) {
      RestartPolicy policy = c.config().restartPolicy();
      if (policy.isNone()) {
        continue;
      }
      if (c.state() instanceof ContainerState.Restarting) {
        schedule(c.id(), RestartPolicy.Backoff.NONE.next(Duration.ZERO).delay());
      } else if (c.state() instanceof ContainerState.Exited e
          && policy.startsWithDaemon(e.exitCode(), store.table.manuallyStopped(c.id()), c.restartCount())) {
        ReentrantLock lock = store.lock(c.id());
        lock.lock();
        try {
          store.table.setManuallyStopped(c.id(), false);
          markRestarting(c, e.exitCode(), e.startedAt(), e.finishedAt(), c.restartCount());
        } finally {
          lock.unlock();
        }
        log.info("container {}: started with berthd ({} policy)", c.shortId(), policy.name());
        schedule(c.id(), Duration.ZERO);
      }
    }
  }
}
