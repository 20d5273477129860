package dev.berth.engine.container;

import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.HealthRunner;
import dev.berth.engine.runtime.spec.ProcessSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The healthcheck runners of running containers (decision 2300): one {@link HealthRunner} per
 * run of a container, started at its first check and again when it dies. A check it cannot
 * take — no runner program, a runner that cannot start or keeps dying, a command it cannot
 * exec — is left to the caller's {@code runc exec}, so its result is what it always was.
 */
final class HealthRunners {
  private static final Logger log = LoggerFactory.getLogger(HealthRunners.class);
  /** Runner failures in a row after which a run's checks stay with runc exec. */
  static final int MAX_FAILURES = 3;

  private final ContainerStore store;
  private final Path dir;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();

  /** One container run's runner; {@code owner} is the run (a restart makes a new one). */
  private static final class Slot {
    final ContainerProcess owner;
    final ReentrantLock lock = new ReentrantLock();
    volatile HealthRunner runner;
    int failures;
    volatile boolean closed;

    Slot(ContainerProcess owner) {
      this.owner = owner;
    }

    void close() {
      closed = true;
      HealthRunner r = runner;
      if (r != null) {
        r.close();
      }
    }
  }

  HealthRunners(ContainerStore store) {
    this.store = store;
    this.dir = store.config.execRoot().resolve("probes");
  }

  /**
   * Runs the check {@code cmd} through the container's runner; empty when it is the caller's to
   * run by runc exec. {@code process}: the process an exec in the container would get.
   */
  Optional<ContainerExecs.ProbeResult> check(Container c, Supplier<ProcessSpec> process, List<String> cmd,
      Duration timeout) {
    ContainerProcess owner = store.processes.get(c.id());
    if (owner == null) {
      return Optional.empty(); // not under conmon (a microVM's): not ours
    }
    Slot slot = slots.compute(c.id(), (id, old) -> {
      if (old != null && old.owner == owner) {
        return old;
      }
      if (old != null) {
        old.close();
      }
      return new Slot(owner);
    });
    if (!slot.lock.tryLock()) {
      return Optional.empty(); // a check of the monitor this one replaced still runs there
    }
    try {
      if (slot.closed || slot.failures >= MAX_FAILURES) {
        return Optional.empty();
      }
      if (slot.runner == null) {
        try {
          slot.runner = HealthRunner.start(store.conmon(c).runtime(), c.id(), process.get(), dir);
        } catch (IOException | RuntimeException e) {
          failed(slot, c, "cannot start: " + e.getMessage());
          return Optional.empty();
        }
      }
      HealthRunner.Outcome outcome;
      try {
        outcome = slot.runner.check(cmd, timeout);
      } catch (IOException gone) {
        failed(slot, c, "ended before the check: " + gone.getMessage());
        return Optional.empty();
      }
      return switch (outcome) {
        case HealthRunner.Outcome.Exited x -> {
          slot.failures = 0;
          yield Optional.of(new ContainerExecs.ProbeResult(x.code(),
              Health.truncated(x.output(), (int) Math.min(x.total(), Integer.MAX_VALUE))));
        }
        case HealthRunner.Outcome.TimedOut t -> {
          slot.failures = 0;
          yield Optional.of(ContainerExecs.ProbeResult.timedOut(timeout));
        }
        case HealthRunner.Outcome.NotStarted n -> Optional.empty(); // runc exec gives the error, as always
        // closed under it (the container ended, or berthd stops): runc exec gives what there is to give
        case HealthRunner.Outcome.Unanswered u when slot.closed -> Optional.empty();
        case HealthRunner.Outcome.Unanswered u -> {
          // frozen (paused during the check), starved, or killed: the check is as late as a hung one
          failed(slot, c, "gave no answer in time");
          yield Optional.of(ContainerExecs.ProbeResult.timedOut(timeout));
        }
      };
    } finally {
      slot.lock.unlock();
    }
  }

  private void failed(Slot slot, Container c, String why) {
    slot.failures++;
    HealthRunner r = slot.runner;
    slot.runner = null;
    if (r != null) {
      r.close();
    }
    if (slot.failures >= MAX_FAILURES) {
      log.warn("container {}: its healthcheck runner {}; its checks run by runc exec from now on", c.shortId(), why);
    } else {
      log.info("container {}: its healthcheck runner {}; the next check starts another", c.shortId(), why);
    }
  }

  /** The container's process ended, or it is gone: its runner ends (it did with the container's pid namespace). */
  void close(String containerId) {
    Slot slot = slots.remove(containerId);
    if (slot != null) {
      slot.close();
    }
  }

  /** berthd stops: every runner ends. */
  void closeAll() {
    for (String id : List.copyOf(slots.keySet())) {
      close(id);
    }
  }
}
