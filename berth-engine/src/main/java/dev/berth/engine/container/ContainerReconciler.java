package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.runtime.Conmon;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.state.ContainerTable.ContainerRow;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a (re)start of berthd: running containers are re-attached to their conmon; those that
 * exited meanwhile get their exit code; AutoRemove ones that exited are removed.
 */
final class ContainerReconciler {
  private static final Logger log = LoggerFactory.getLogger(ContainerReconciler.class);

  /** Removes a container without a client to answer (AutoRemove, a removal a crash cut short). */
  interface Remover {
    void removeQuietly(String id, boolean removeVolumes);
  }

  private final ContainerStore store;
  private final ContainerExits exits;
  private final ContainerRootfs rootfs;
  private final MicroVmRuntime microVms;
  private final Remover remover;

  ContainerReconciler(ContainerStore store, ContainerExits exits, ContainerRootfs rootfs, MicroVmRuntime microVms,
      Remover remover) {
    this.store = store;
    this.exits = exits;
    this.rootfs = rootfs;
    this.microVms = microVms;
    this.remover = remover;
  }

  void reconcile() {
    for (ContainerRow row : store.table.all()) {
      Container c = store.toContainer(row);
      try {
        if (!Files.isDirectory(store.dir(c.id()))) {
          // Removed on disk but the row's delete was lost: a power cut rolled back the last
          // commits (the database syncs lazily, see StateStore). Finish the removal.
          remover.removeQuietly(c.id(), false);
          log.info("container {}: its directory is gone, removal finished", c.shortId());
          continue;
        }
        if (c.running() && VmIsolation.isVm(c.config())) {
          exits.follow(c.id(), microVms.reattach(c.id(), store.dir(c.id()), store.logPath(c.id())));
          log.info("container {}: following its microVM again", c.shortId());
        } else if (c.running()) {
          ContainerProcess process;
          try {
            process = store.conmon(c).reattach(c.id());
          } catch (BerthException.NotFound | BerthException.Unavailable gone) {
            process = null;
          }
          if (process == null) {
            // The exec-root was wiped (a reboot): the container is gone with it.
            rootfs.unmount(c.id());
            Instant now = store.clock.instant();
            Instant started = ((ContainerState.Running) c.state()).startedAt();
            store.save(c.withState(new ContainerState.Exited(255, started, now, false,
                "container lost while berthd was down")), started, now);
            if (c.config().autoRemove()) {
              remover.removeQuietly(c.id(), true);
            }
            continue;
          }
          store.processes.put(c.id(), process);
          OptionalInt code = process.exitCode();
          if (code.isPresent() || !process.conmonRunning()) {
            exits.onExit(c.id(), process, code.orElse(255));
          } else {
            syncPaused(c, process);
            exits.watch(c, process);
            log.info("container {} still running (pid {}): re-attached", c.shortId(), process.pid());
          }
        } else if (c.state() instanceof ContainerState.Exited && c.config().autoRemove()) {
          remover.removeQuietly(c.id(), true);
        } else {
          if (c.state() instanceof ContainerState.Created || c.state() instanceof ContainerState.Restarting) {
            deleteCreatedAhead(c);
          }
          if (Mounts.isMountPoint(store.dir(c.id()).resolve("rootfs"))) {
            rootfs.unmount(c.id());
          }
        }
      } catch (RuntimeException e) {
        log.warn("container {}: reconcile failed: {}", c.shortId(), e.getMessage());
      }
    }
    finishRuntimeDeletes();
    // Running microVMs keep their namespaces, taps and ports too (they are followed, not in processes).
    java.util.Set<String> running = new java.util.HashSet<>(store.processes.keySet());
    running.addAll(store.vms.keySet());
    store.networks().reconcile(running);
  }

  /**
   * An exit is recorded before the runtime's delete runs (see ContainerExits.onExit), so a crash in
   * between leaves runc's state and conmon's files of a container that no longer runs, or whose row
   * is gone: they are deleted here, before any start of that container needs its id in runc again.
   */
  private void finishRuntimeDeletes() {
    Optional<Conmon> any = store.conmons().values().stream().findFirst(); // one exec-root for all runtimes
    if (any.isEmpty()) {
      return;
    }
    Path states = any.get().execRoot().resolve("conmon");
    List<String> ids = new ArrayList<>();
    try (var dirs = Files.newDirectoryStream(states)) {
      dirs.forEach(d -> ids.add(d.getFileName().toString()));
    } catch (IOException none) {
      return;
    }
    for (String id : ids) {
      if (store.processes.containsKey(id) || exits.runtimeDeleteRunning(id)) {
        continue;
      }
      try {
        ContainerProcess left = any.get().reattach(id);
        if (left.conmonRunning()) {
          continue; // conmon still supervises something (an exec session): not a finished exit
        }
        left.delete();
        log.info("container {}: finished its runtime delete", id.substring(0, Math.min(12, id.length())));
      } catch (BerthException notAttachable) {
        ContainerStore.deleteTree(states.resolve(id)); // no pidfiles: nothing of the runtime left to ask
      }
    }
  }

  /**
   * A container created ahead of its start (decisions 2800, 3000) when berthd stopped: its runtime
   * container (init waiting, conmon) goes, so its start creates it again.
   */
  private void deleteCreatedAhead(Container c) {
    ContainerProcess left;
    try {
      left = store.conmon(c).reattach(c.id());
    } catch (BerthException nothingCreated) {
      return; // the usual case: no runtime state for a created container
    }
    left.delete();
    log.info("container {}: dropped its runtime create made ahead of a start that never came", c.shortId());
  }

  /** The runtime knows whether the cgroup is frozen; the record follows it (paused or thawed while berthd was down). */
  private void syncPaused(Container c, ContainerProcess process) {
    String status;
    try {
      status = process.state().status();
    } catch (BerthException e) {
      return; // the watcher finds out whether it still runs
    }
    boolean paused = "paused".equals(status);
    if (c.state() instanceof ContainerState.Running r && r.paused() != paused
        && ("running".equals(status) || paused)) {
      store.save(c.withState(r.withPaused(paused)), Instant.EPOCH, Instant.EPOCH);
      log.info("container {} is {} (runtime state)", c.shortId(), status);
    }
  }
}
