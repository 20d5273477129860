package dev.berth.engine.container;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime creates run ahead of the start (decisions 2800, 3000). CRI's CreateContainer begins one
 * on a virtual thread, so conmon and {@code runc create} overlap the client's way to
 * StartContainer, which then only lets the process run; a restart policy begins one when its
 * back-off begins, so the restart after it only lets the process run. One job per container, doing its work under the
 * container's lock; everything that takes or drops a job's result holds that lock too, so under
 * it a job has either finished or not begun (and then never will). A failed job leaves nothing
 * made and the start does the whole work itself, so a failure is reported by the start as before.
 */
final class CreatesAhead {
  private static final Logger log = LoggerFactory.getLogger(CreatesAhead.class);

  private final ContainerStore store;
  private final RuntimeCreates creates;
  /** A job's result; null when it had nothing to do (the container was started, removed or is a microVM). */
  private final Map<String, CompletableFuture<Ahead>> jobs = new ConcurrentHashMap<>();

  /** A create made ahead, and what it was made from: a start uses it only if that is still so. */
  private record Ahead(RuntimeCreates.Created created, Basis basis) {}

  /** What a runtime create reads of the container: its name, its config and its networks' settings. */
  private record Basis(String name, ContainerConfig config, List<Object> endpoints) {}

  CreatesAhead(ContainerStore store, RuntimeCreates creates) {
    this.store = store;
    this.creates = creates;
  }

  /** Begins the create of container {@code id} in the background, unless a job for it exists. */
  void begin(String id) {
    CompletableFuture<Ahead> job = new CompletableFuture<>();
    if (jobs.putIfAbsent(id, job) == null) {
      Thread.ofVirtual().name("create-ahead-" + id.substring(0, Math.min(12, id.length()))).start(() -> run(id, job));
    }
  }

  private void run(String id, CompletableFuture<Ahead> job) {
    ReentrantLock lock = store.lock(id);
    lock.lock();
    try {
      if (job.isDone()) {
        return; // dropped before it began
      }
      Container c = store.table.byId(id).map(store::toContainer).orElse(null);
      if (c == null || !(c.state() instanceof ContainerState.Created || c.state() instanceof ContainerState.Restarting)
          || VmIsolation.isVm(c.config())) {
        jobs.remove(id, job);
        job.complete(null);
        return;
      }
      try {
        RuntimeCreates.Created created = creates.create(c);
        job.complete(new Ahead(created, basisOf(c))); // before the lock is released: a holder of the lock sees it done
        log.debug("container {} created ahead of its start: mount {} ms, spec+bundle {} ms, conmon+create {} ms",
            c.shortId(), created.mountMillis(), created.bundleMillis(), created.createMillis());
      } catch (RuntimeException e) {
        creates.undo(id);
        jobs.remove(id, job);
        job.completeExceptionally(e);
        log.debug("container {}: the create ahead failed ({}); its start does the work itself", c.shortId(),
            e.getMessage());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the job of {@code id}, if any, has ended. Call without the container's lock: the job needs it. */
  void awaitDone(String id) {
    CompletableFuture<Ahead> job = jobs.get(id);
    if (job != null) {
      try {
        job.join();
      } catch (CompletionException | CancellationException ignored) {
        // failed or dropped: nothing to take
      }
    }
  }

  /**
   * Takes the result of the job of container {@code current} (its lock held); empty when there was
   * none, it failed, it has not begun (then it is dropped and will make nothing), or it was made
   * from a name, config or networks the container no longer has (then it is freed).
   */
  Optional<RuntimeCreates.Created> take(Container current) {
    Optional<Ahead> ahead = take(current.id());
    if (ahead.isPresent() && !ahead.get().basis().equals(basisOf(current))) {
      creates.discard(current.id(), ahead.get().created());
      log.debug("container {}: changed since its create ahead (update, rename or networks): created again",
          current.shortId());
      return Optional.empty();
    }
    return ahead.map(Ahead::created);
  }

  private Basis basisOf(Container c) {
    return new Basis(c.name(), c.config(), store.networks().endpointsBasis(c.id()));
  }

  private Optional<Ahead> take(String id) {
    CompletableFuture<Ahead> job = jobs.remove(id);
    if (job == null) {
      return Optional.empty();
    }
    if (!job.isDone()) {
      job.cancel(false);
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(job.getNow(null));
    } catch (CompletionException | CancellationException failedOrDropped) {
      return Optional.empty();
    }
  }

  /** Whether container {@code id} has a job, finished or not. */
  boolean has(String id) {
    return jobs.containsKey(id);
  }

  /** Drops the job of {@code id} and frees what it made (the container's lock held); the container stays created. */
  void drop(String id) {
    take(id).ifPresent(ahead -> creates.discard(id, ahead.created()));
  }
}
