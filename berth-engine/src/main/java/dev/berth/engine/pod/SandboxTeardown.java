package dev.berth.engine.pod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees a stopped sandbox without an infra container: CNI DEL, its namespace files unbound, its
 * /dev/shm unmounted, the record marked torn down. StopPodSandbox answers once the pod's
 * containers are stopped and the record says stopped with this teardown due; the teardown then
 * runs on a thread of its own under the sandbox's lock, so the sandbox's next stop or removal
 * (which take the lock and finish a teardown still due) waits for it (decision 3200).
 */
final class SandboxTeardown {
  private static final Logger log = LoggerFactory.getLogger(SandboxTeardown.class);

  private final PodRecords records;
  private final SandboxNetwork network;
  private final SandboxNamespaces namespaces;
  private final SandboxShm shm;
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();

  SandboxTeardown(PodRecords records, SandboxNetwork network, SandboxNamespaces namespaces, SandboxShm shm) {
    this.records = records;
    this.network = network;
    this.namespaces = namespaces;
    this.shm = shm;
  }

  /** A stopped sandbox without an infra container whose network or namespaces are not freed yet. */
  static boolean due(SandboxRecord r) {
    if (!r.pinned() || !r.stopped()) {
      return false;
    }
    if (r.networkUp()) {
      return true;
    }
    for (String f : List.of(r.netns(), r.ipcNs(), r.utsNs())) {
      if (!f.isEmpty() && Files.exists(Path.of(f))) {
        return true;
      }
    }
    return false;
  }

  /** Tears down sandbox {@code id} now if its teardown is due; the caller holds its lock. */
  void finish(String id) {
    records.sandbox(id).filter(SandboxTeardown::due).ifPresent(r -> run(r));
  }

  /** Tears down sandbox {@code id} on a thread of its own, under {@code lock}, if still due then. */
  void inBackground(String id, ReentrantLock lock) {
    Thread t = Thread.ofVirtual().name("pod-teardown-" + id.substring(0, 12)).unstarted(() -> {
      lock.lock();
      try {
        finish(id);
      } catch (RuntimeException e) {
        log.warn("pod sandbox {}: freeing its network and namespaces failed (its next stop or removal tries "
            + "again): {}", id.substring(0, 12), e.getMessage());
      } finally {
        lock.unlock();
        running.remove(Thread.currentThread());
      }
    });
    running.add(t);
    t.start();
  }

  /** Frees everything of {@code r} (also what a stop left after a failure); throws the first failure. */
  void run(SandboxRecord r) {
    long t0 = System.nanoTime();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    // DEL needs only the network namespace: the IPC and UTS files and /dev/shm go meanwhile
    Thread del = Thread.ofVirtual().start(() -> {
      if (r.networkUp() || !r.netns().isEmpty()) {
        CleanupSteps.collect(failures, () -> {
          network.detach(r);
          records.save(r.withNetworkDown());
        });
      }
    });
    SandboxNamespaces.Bound files = SandboxNamespaces.of(r);
    CleanupSteps.collect(failures, () -> namespaces.unpin(new SandboxNamespaces.Bound(null, files.ipc(), files.uts())));
    shm.remove(r.id());
    CleanupSteps.joinAll(List.of(del)); // the DEL must finish: it frees host resources
    CleanupSteps.collect(failures, () -> namespaces.unpin(files)); // the network file too, also when DEL found it gone
    if (failures.isEmpty()) {
      records.sandbox(r.id()).ifPresent(now -> records.save(now.withStopped()));
    }
    log.debug("pod sandbox {}: network and namespaces freed in {} ms", r.id().substring(0, 12),
        (System.nanoTime() - t0) / 1_000_000);
    if (!failures.isEmpty()) {
      throw failures.getFirst();
    }
  }

  /** Waits (a bounded time) for teardowns in flight; one cut here is finished by the next open's reconcile. */
  void awaitRunning() {
    for (Thread t : List.copyOf(running)) {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
