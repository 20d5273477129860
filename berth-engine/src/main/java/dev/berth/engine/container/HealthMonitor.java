package dev.berth.engine.container;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs healthchecks (Config.Healthcheck, merged with the image's HEALTHCHECK) as dockerd does:
 * one timer per running container on the shared {@link SupervisionTimers}, each check an exec in
 * the container killed at its timeout, State.Health moved on by each result, a
 * {@code health_status: …} event at each change. The health is kept in the row at each change of
 * status, so a restarted berthd goes on from it.
 */
final class HealthMonitor {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final ContainerStore store;
  private final ContainerExecs execs;
  private final SupervisionTimers timers;
  private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
  /** The health of every container that has a healthcheck, for inspect and list. */
  private final Map<String, Health> health = new ConcurrentHashMap<>();

  /** One running container's checks. */
  private final class Monitor {
    final String id;
    final Healthcheck check;
    final Instant started;
    volatile Future<?> timer;
    volatile boolean stopped;

    Monitor(String id, Healthcheck check, Instant started) {
      this.id = id;
      this.check = check;
      this.started = started;
    }

    /** dockerd's interval: the start interval while starting within the start period, else the interval. */
    Duration interval() {
      if (Duration.between(started, store.clock.instant()).compareTo(check.startPeriodOrDefault()) >= 0) {
        return check.intervalOrDefault();
      }
      Health h = health.get(id);
      return h != null && h.status().equals(Health.STARTING) ? check.startIntervalOrDefault() : check.intervalOrDefault();
    }

    void schedule() {
      if (!stopped) {
        timer = timers.schedule(interval(), this::check);
      }
    }

    void check() {
      if (stopped) {
        return;
      }
      Optional<Container> c = store.byId(id);
      if (c.isEmpty() || !c.get().running()) {
        return;
      }
      if (!c.get().paused()) {
        Instant start = store.clock.instant();
        try {
          ContainerExecs.ProbeResult r = execs.probe(c.get(), check.command(), check.timeoutOrDefault());
          record(c.get(), new Health.Result(start, store.clock.instant(), r.exitCode(), r.output()));
        } catch (RuntimeException e) {
          // It stopped or began restarting between the look and the exec: its exit ends these checks.
          log.debug("container {}: no healthcheck now: {}", c.get().shortId(), e.getMessage());
        }
      }
      schedule();
    }

    void record(Container c, Health.Result r) {
      if (stopped) {
        return;
      }
      Health before = health.getOrDefault(id, Health.starting());
      Health after = before.after(r, started, check.startPeriodOrDefault(), check.retriesOrDefault());
      health.put(id, after);
      if (!after.status().equals(before.status())) {
        persist(id, after);
        store.events.emit(c, "health_status: " + after.status());
        log.info("container {} is {}", c.shortId(), after.status());
      }
    }
  }

  HealthMonitor(ContainerStore store, ContainerExecs execs, SupervisionTimers timers) {
    this.store = store;
    this.execs = execs;
    this.timers = timers;
  }

  /** The container's State.Health; empty when it has no healthcheck. */
  Optional<Health> health(String id) {
    return Optional.ofNullable(health.get(id));
  }

  /** The container started: its checks begin from "starting". */
  void started(Container c) {
    Healthcheck check = c.config().healthcheck();
    if (check == null || check.disabled() || !(c.state() instanceof ContainerState.Running r)) {
      return;
    }
    stop(c.id());
    Health fresh = Health.starting();
    Health previous = health.put(c.id(), new Health(fresh.status(), 0, health.getOrDefault(c.id(), fresh).log()));
    if (previous == null || !previous.status().equals(Health.STARTING)) {
      persist(c.id(), health.get(c.id()));
    }
    watch(c.id(), check, r.startedAt());
  }

  /** berthd started: the checks of a running container go on from the health kept in its row. */
  void resume(Container c) {
    Healthcheck check = c.config().healthcheck();
    if (check == null || check.disabled()) {
      return;
    }
    health.put(c.id(), load(c.id()).orElse(Health.starting()));
    if (c.state() instanceof ContainerState.Running r) {
      watch(c.id(), check, r.startedAt());
    }
  }

  private void watch(String id, Healthcheck check, Instant started) {
    Monitor m = new Monitor(id, check, started);
    monitors.put(id, m);
    m.schedule();
  }

  /** The container's process ended: no more checks (its last health stays). */
  void stop(String id) {
    execs.checksEnded(id);
    Monitor m = monitors.remove(id);
    if (m != null) {
      m.stopped = true;
      Future<?> t = m.timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  /** The container is gone. */
  void forget(String id) {
    stop(id);
    health.remove(id);
  }

  /** The stored form: instants as ISO strings (the mapper has no java.time module). */
  record Stored(String status, int failingStreak, List<StoredResult> log) {}

  record StoredResult(String start, String end, int exitCode, String output) {}

  private void persist(String id, Health h) {
    List<StoredResult> entries = new ArrayList<>();
    for (Health.Result r : h.log()) {
      entries.add(new StoredResult(r.start().toString(), r.end().toString(), r.exitCode(), r.output()));
    }
    try {
      store.table.setHealth(id, ContainerStore.JSON.writeValueAsString(new Stored(h.status(), h.failingStreak(), entries)));
    } catch (IOException | RuntimeException e) {
      log.warn("container {}: cannot keep its health: {}", id.substring(0, 12), e.getMessage());
    }
  }

  private Optional<Health> load(String id) {
    try {
      String json = store.table.health(id);
      if (json == null || json.isEmpty()) {
        return Optional.empty();
      }
      Stored s = ContainerStore.JSON.readValue(json, new TypeReference<Stored>() {});
      List<Health.Result> entries = new ArrayList<>();
      for (StoredResult r : s.log()) {
        entries.add(new Health.Result(Instant.parse(r.start()), Instant.parse(r.end()), r.exitCode(), r.output()));
      }
      return Optional.of(new Health(s.status(), s.failingStreak(), entries));
    } catch (IOException | RuntimeException e) {
      log.warn("container {}: its kept health is unreadable: {}", id.substring(0, 12), e.getMessage());
      return Optional.empty();
    }
  }
}
