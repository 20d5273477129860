package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.state.ContainerTable.ContainerRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exit path: an exit watcher per running container (conmon's exit file, or a microVM's
 * end), recording the exit, the runtime's delete after it, and the waits on exits and removals.
 */
public final class ContainerExits {
  private static final Logger log = LoggerFactory.getLogger(ContainerExits.class);
  private static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

  private final ContainerStore store;
  private final ContainerRootfs rootfs;
  /** Told of each recorded exit (the container as recorded), after its lock is released. */
  private final Consumer<Container> afterExit;
  private final ExitWatcher exitWatcher = new ExitWatcher(this::onExit);
  private final LogRotation logRotation = new LogRotation();
  private final Map<String, CompletableFuture<Integer>> nextExit = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> removed = new ConcurrentHashMap<>();
  /**
   * The runtime's deletes of exited containers (runc delete, conmon's end, its files), which run
   * after the exit is recorded: a start of the same container awaits its delete, a removal goes on
   * beside it, shutdown waits for them.
   */
  private final Map<String, CompletableFuture<Void>> runtimeDeletes = new ConcurrentHashMap<>();

  ContainerExits(ContainerStore store, ContainerRootfs rootfs, Consumer<Container> afterExit) {
    this.store = store;
    this.rootfs = rootfs;
    this.afterExit = afterExit;
  }

  // ---- watching ----------------------------------------------------------------------------

  void watch(Container c, ContainerProcess process) {
    exitWatcher.watch(c.id(), process);
    logRotation.watch(c.id(), store.logPath(c.id()), c.config().logConfig(), process::reopenLog);
  }

  void follow(String id, MicroVm vm) {
    store.vms.put(id, vm);
    vm.follow(code -> onVmExit(id, vm, code));
  }

  /** A microVM ended (QEMU gone, its output in the log): as {@link #onExit} for conmon's containers. */
  private void onVmExit(String id, MicroVm vm, int code) {
    ReentrantLock lock = store.lock(id);
    Container exited;
    lock.lock();
    try {
      store.vms.remove(id, vm);
      vm.destroy();
      Optional<ContainerRow> row = store.table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      Container c = store.toContainer(row.get());
      // Its network goes as a runc container's does (CNI DEL in the background): the namespace, the
      // tap in it and the address are not held until the container is removed or started again.
      store.networks().detach(id);
      Instant finished = vm.finishedAt();
      Instant started = c.state() instanceof ContainerState.Running r ? r.startedAt() : Instant.EPOCH;
      exited = c.withState(new ContainerState.Exited(code, started, finished, false, ""));
      store.save(exited, started, finished);
      log.info("container {} (microVM) exited with {}", c.shortId(), code);
      store.events.emit(c, "die", Map.of("exitCode", Integer.toString(code)));
      // The waits end before the rootfs is unmounted, still under the lock (as in onExit): QEMU,
      // its only user, is gone, and whatever touches the rootfs next takes the lock first.
      completeExit(id, code);
      long unmounting = System.nanoTime();
      rootfs.unmount(id);
      log.debug("container {} (microVM) exit recorded {} ms after the guest reported it; rootfs unmounted in {} ms",
          c.shortId(), java.time.Duration.between(finished, store.clock.instant()).toMillis(),
          (System.nanoTime() - unmounting) / 1_000_000);
    } finally {
      lock.unlock();
    }
    afterExit.accept(exited);
  }

  void onExit(String id, ContainerProcess process, int code) {
    ReentrantLock lock = store.lock(id);
    Container exited;
    lock.lock();
    try {
      Optional<ContainerRow> row = store.table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      Container c = store.toContainer(row.get());
      boolean oom = oomKilled(id);
      Instant finished = exitTime(process); // before delete() takes the exit file
      logRotation.unwatch(id);
      // The runtime's delete (an exec of runc, then conmon's end: 20-50 ms) needs neither the rootfs
      // nor the network, and no wait needs it: it runs on after the exit is recorded (a start of
      // this container awaits it), which shortens every exit and run --rm.
      CompletableFuture<Void> deleted = new CompletableFuture<>();
      runtimeDeletes.put(id, deleted);
      VIRTUAL.execute(() -> {
        try {
          process.delete();
          deleted.complete(null);
        } catch (RuntimeException e) {
          log.warn("container {}: the runtime could not delete it: {}", c.shortId(), e.getMessage());
          deleted.completeExceptionally(e);
        } finally {
          runtimeDeletes.remove(id, deleted);
        }
      });
      store.processes.remove(id);
      store.networks().detach(id);
      Instant started = c.state() instanceof ContainerState.Running r ? r.startedAt() : Instant.EPOCH;
      exited = c.withState(new ContainerState.Exited(code, started, finished, oom, ""));
      store.save(exited, started, finished);
      log.info("container {} exited with {}{}", c.shortId(), code, oom ? " (OOM killed)" : "");
      if (oom) store.events.emit(c, "oom");
      store.events.emit(c, "die", Map.of("exitCode", Integer.toString(code)));
      // The waits end before the rootfs is unmounted (an overlay's unmount syncs its upper
      // filesystem: 2-140 ms here under other load), still under the lock, so anything that
      // touches the rootfs (a start, a removal, a copy) takes the lock and finds it unmounted.
      completeExit(id, code);
      long unmounting = System.nanoTime();
      rootfs.unmount(id);
      log.debug("container {} exit recorded {} ms after conmon's exit file; rootfs unmounted in {} ms", c.shortId(),
          java.time.Duration.between(finished, store.clock.instant()).toMillis(),
          (System.nanoTime() - unmounting) / 1_000_000);
    } finally {
      lock.unlock();
    }
    afterExit.accept(exited);
  }

  /** When conmon wrote the exit file (it may have been while berthd was down); now if there is none. */
  private Instant exitTime(ContainerProcess process) {
    try {
      return Files.getLastModifiedTime(process.paths().exitFile()).toInstant();
    } catch (IOException e) {
      return store.clock.instant();
    }
  }

  /** Whether the kernel's OOM killer struck in the container's cgroup (v1 memory.oom_control, v2 memory.events). */
  static boolean oomKilled(String id) {
    for (Path file : List.of(Path.of("/sys/fs/cgroup/memory/berth", id, "memory.oom_control"),
        Path.of("/sys/fs/cgroup/berth", id, "memory.events"))) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).strip()) > 0) {
            return true;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not this cgroup version
      }
    }
    return false;
  }

  // ---- the runtime's deletes ---------------------------------------------------------------

  /** Waits for the runtime's delete of the container's last run: its runc state and conmon files must be gone first. */
  void awaitRuntimeDelete(String id) {
    CompletableFuture<Void> pending = runtimeDeletes.get(id);
    if (pending != null) {
      try {
        pending.join();
      } catch (java.util.concurrent.CompletionException e) {
        // logged when it failed; the start meets any real leftover itself
      }
    }
  }

  boolean runtimeDeleteRunning(String id) {
    return runtimeDeletes.containsKey(id);
  }

  // ---- waits -------------------------------------------------------------------------------

  /** Completed by the container's next recorded exit. */
  CompletableFuture<Integer> exitFuture(String id) {
    return nextExit.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  void forgetExitFuture(String id, CompletableFuture<Integer> f) {
    nextExit.remove(id, f);
  }

  void completeExit(String id, int code) {
    CompletableFuture<Integer> f = nextExit.remove(id);
    if (f != null) {
      f.complete(code);
    }
  }

  /** The container was removed: its waits for exit and removal end with its last exit code. */
  void completeRemoved(String id, int code) {
    completeExit(id, code);
    CompletableFuture<Integer> f = removed.remove(id);
    if (f != null) {
      f.complete(code);
    }
  }

  public enum WaitCondition {
    NOT_RUNNING, NEXT_EXIT, REMOVED;

    public static WaitCondition parse(String s) {
      return switch (s == null || s.isEmpty() ? "not-running" : s) {
        case "not-running" -> NOT_RUNNING;
        case "next-exit" -> NEXT_EXIT;
        case "removed" -> REMOVED;
        default -> throw new BerthException.InvalidArgument("invalid condition: \"" + s + "\"");
      };
    }
  }

  /** The outcome of a wait: the exit code and, when the process never ran, why. */
  public record WaitResult(int statusCode, String error) {}

  /**
   * Registers the wait now (so a start that follows cannot be missed) and returns a future for
   * its answer, as Docker answers the wait's headers before the condition holds.
   */
  public CompletableFuture<WaitResult> waitFor(String nameOrId, WaitCondition condition) {
    Container c = store.find(nameOrId);
    String id = c.id();
    CompletableFuture<Integer> f = switch (condition) {
      case NOT_RUNNING -> {
        CompletableFuture<Integer> next = exitFuture(id);
        Container now = store.get(id);
        yield now.running() ? next : CompletableFuture.completedFuture(exitCode(now));
      }
      case NEXT_EXIT -> exitFuture(id);
      case REMOVED -> removed.computeIfAbsent(id, k -> new CompletableFuture<>());
    };
    return f.thenApply(code -> new WaitResult(code, store.table.byId(id).map(ContainerRow::error).orElse("")));
  }

  private static int exitCode(Container c) {
    return c.state() instanceof ContainerState.Exited e ? e.exitCode() : 0;
  }

  /** Stops watching; the containers keep running under conmon. */
  void close() {
    exitWatcher.close();
    try {
      CompletableFuture.allOf(runtimeDeletes.values().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("shutdown: runtime deletes still running: {}", runtimeDeletes.keySet());
    }
    logRotation.close();
  }
}
