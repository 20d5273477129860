package dev.berth.engine.container;

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
 * Runtime creates run ahead of the start (decision 2800). CRI's CreateContainer begins one on a
 * virtual thread, so conmon and {@code runc create} overlap the client's way to StartContainer,
 * which then only lets the process run. One job per container, doing its work under the
 * container's lock; everything that takes or drops a job's result holds that lock too, so under
 * it a job has either finished or not begun (and then never will). A failed job leaves nothing
 * made and the start does the whole work itself, so a failure is reported by the start as before.
 */
final class CreatesAhead {
  private static final Logger log = LoggerFactory.getLogger(CreatesAhead.class);

  private final ContainerStore store;
  private final RuntimeCreates creates;
  /** A job's result; null when it had nothing to do (the container was started, removed or is a microVM). */
  private final Map<String, CompletableFuture<RuntimeCreates.Created>> jobs = new ConcurrentHashMap<>();

  CreatesAhead(ContainerStore store, RuntimeCreates creates) {
    this.store = store;
    this.creates = creates;
  }

  /** Begins the create of container {@code id} in the background, unless a job for it exists. */
  void begin(String id) {
    CompletableFuture<RuntimeCreates.Created> job = new CompletableFuture<>();
    if (jobs.putIfAbsent(id, job) == null) {
      Thread.ofVirtual().name("create-ahead-" + id.substring(0, Math.min(12, id.length()))).start(() -> run(id, job));
    }
  }

  private void run(String id, CompletableFuture<RuntimeCreates.Created> job) {
    ReentrantLock lock = store.lock(id);
    lock.lock();
    try {
      if (job.isDone()) {
        return; // dropped before it began
      }
      Container c = store.table.byId(id).map(store::toContainer).orElse(null);
      if (c == null || !(c.state() instanceof ContainerState.Created) || VmIsolation.isVm(c.config())) {
        jobs.remove(id, job);
        job.complete(null);
        return;
      }
      try {
        RuntimeCreates.Created created = creates.create(c);
        job.complete(created); // before the lock is released: a holder of the lock sees it done
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
    CompletableFuture<RuntimeCreates.Created> job = jobs.get(id);
    if (job != null) {
      try {
        job.join();
      } catch (CompletionException | CancellationException ignored) {
        // failed or dropped: nothing to take
      }
    }
  }

  /**
   * Takes the result of the job of {@code id} (the container's lock held); empty when there was
   * none, it failed or it has not begun (then it is dropped and will make nothing).
   */
  Optional<RuntimeCreates.Created> take(String id) {
    CompletableFuture<RuntimeCreates.Created> job = jobs.remove(id);
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
    take(id).ifPresent(created -> creates.discard(id, created));
  }
}
