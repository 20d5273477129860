package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.ContainerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Connections to a container's stdio (conmon's attach socket or a microVM's console) and its terminal size. */
public final class ContainerAttach {
  private final ContainerStore store;
  private final Map<String, List<CompletableFuture<AttachSession>>> pendingAttach = new ConcurrentHashMap<>();

  ContainerAttach(ContainerStore store) {
    this.store = store;
  }

  /**
   * A connection to the container's stdio: at once when it runs, else registered now and
   * completed by its start (failed by a failed start or its removal), as docker run attaches
   * before it starts: registering first is what keeps the first output. Cancel the future to
   * give up waiting.
   */
  public CompletableFuture<AttachSession> attachWhenStarted(String nameOrId) throws IOException {
    Container c = store.find(nameOrId);
    store.events.emit(c, "attach");
    ContainerProcess p = store.processes.get(c.id());
    if (p != null) {
      return CompletableFuture.completedFuture(p.attach());
    }
    MicroVm vm = store.vms.get(c.id());
    if (vm != null) {
      return CompletableFuture.completedFuture(vm.attach());
    }
    if (!(c.state() instanceof ContainerState.Created) && !(c.state() instanceof ContainerState.Exited)
        && !(c.state() instanceof ContainerState.Restarting)) {
      throw new BerthException.Conflict("container " + c.id() + " is not running");
    }
    CompletableFuture<AttachSession> f = new CompletableFuture<>();
    // One atomic step with the start's removal of the list, so a start cannot take the list
    // between this finding it and adding to it.
    List<CompletableFuture<AttachSession>> pending = pendingAttach.compute(c.id(), (id, list) -> {
      List<CompletableFuture<AttachSession>> l = list != null ? list : new CopyOnWriteArrayList<>();
      l.add(f);
      return l;
    });
    f.whenComplete((session, failure) -> {
      if (f.isCancelled()) {
        pending.remove(f);
      }
    });
    return f;
  }

  /** Opens one attach session (conmon's socket, or a microVM's output). */
  interface AttachSource {
    AttachSession open() throws IOException;
  }

  /** The container started: the attaches that waited for it get their sessions. */
  void connectPending(String id, AttachSource source) {
    List<CompletableFuture<AttachSession>> pending = pendingAttach.remove(id);
    if (pending == null) {
      return;
    }
    for (CompletableFuture<AttachSession> f : pending) {
      if (f.isDone()) {
        continue; // cancelled: nobody would read it
      }
      try {
        AttachSession session = source.open();
        if (!f.complete(session)) {
          session.close();
        }
      } catch (IOException e) {
        f.completeExceptionally(e);
      }
    }
  }

  /** The start failed or the container went: the attaches that waited for it fail with {@code e}. */
  void failPending(String id, RuntimeException e) {
    List<CompletableFuture<AttachSession>> pending = pendingAttach.remove(id);
    if (pending != null) {
      pending.forEach(f -> f.completeExceptionally(e));
    }
  }

  public void resize(String nameOrId, int height, int width) {
    Container c = store.find(nameOrId);
    MicroVm vm = store.vms.get(c.id());
    if (vm != null) {
      vm.resize(height, width); // nothing without a TTY
      return;
    }
    ContainerProcess p = store.processes.get(c.id());
    if (p == null) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    if (!c.config().tty()) {
      return;
    }
    try {
      p.resize(height, width);
    } catch (IOException e) {
      throw new BerthException("cannot resize the terminal of container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  /** How long a reopen waits for conmon's new log file (conmon answers within milliseconds). */
  static final Duration REOPEN_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Has conmon reopen the container's log file (after it was rotated away, as kubelet does) and
   * returns once the new file is there, as containerd's ReopenContainerLog does.
   */
  public void reopenLog(String nameOrId) {
    Container c = store.find(nameOrId);
    ContainerProcess p = store.processes.get(c.id());
    if (p == null) {
      throw new BerthException.Conflict("container " + c.id() + " is not running");
    }
    Path log = store.logPath(c.id());
    boolean reopened;
    try {
      reopened = p.reopenLogAndWait(log, REOPEN_TIMEOUT);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot reopen the log of container " + c.id() + ": " + e.getMessage(), e);
    }
    if (!reopened) {
      throw new BerthException.Unavailable("conmon of container " + c.id() + " did not reopen its log " + log
          + " within " + REOPEN_TIMEOUT.toSeconds() + " s; check that the log's directory exists and is writable"
          + (p.conmonRunning() ? "" : " (conmon has exited)"));
    }
  }
}
