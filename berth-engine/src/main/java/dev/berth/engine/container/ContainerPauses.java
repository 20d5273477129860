package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.ContainerProcess;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code pause} and {@code unpause}: the container's cgroup frozen and thawed by the runtime. */
public final class ContainerPauses {
  private static final Logger log = LoggerFactory.getLogger(ContainerPauses.class);

  private final ContainerStore store;

  ContainerPauses(ContainerStore store) {
    this.store = store;
  }

  /** Freezes the container's cgroup ({@code runc pause}); 409 unless it runs unpaused. */
  public void pause(String nameOrId) {
    Container c = store.find(nameOrId);
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    try {
      c = store.get(c.id());
      if (!c.running()) {
        throw new BerthException.Conflict("Container " + c.id() + " is not running");
      }
      if (c.paused()) {
        throw new BerthException.Conflict("Container " + c.id() + " is already paused");
      }
      if (VmIsolation.isVm(c.config())) {
        throw VmIsolation.unsupported(c, "pause");
      }
      store.conmon(c).runtime().pause(c.id());
      ContainerState.Running r = (ContainerState.Running) c.state();
      store.save(c.withState(r.withPaused(true)), Instant.EPOCH, Instant.EPOCH);
      log.info("container {} paused", c.shortId());
      store.events.emit(c, "pause");
    } finally {
      lock.unlock();
    }
  }

  /** Thaws a paused container ({@code runc resume}); 409 unless it is paused. */
  public void unpause(String nameOrId) {
    Container c = store.find(nameOrId);
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    try {
      c = store.get(c.id());
      if (!c.paused()) {
        throw new BerthException.Conflict("Container " + c.id() + " is not paused");
      }
      resume(c);
      log.info("container {} unpaused", c.shortId());
      store.events.emit(c, "unpause");
    } finally {
      lock.unlock();
    }
  }

  /** Thaws and records it; a container that already left the frozen state counts as thawed. */
  void resume(Container c) {
    try {
      store.conmon(c).runtime().resume(c.id());
    } catch (BerthException e) {
      // runc refuses to resume a container that is not paused (it exited, or was thawed behind
      // our back): the record must still stop saying paused.
      if (store.get(c.id()).paused() && runtimeStatus(c).filter("paused"::equals).isPresent()) {
        throw e;
      }
    }
    Container now = store.get(c.id());
    if (now.state() instanceof ContainerState.Running r && r.paused()) {
      store.save(now.withState(r.withPaused(false)), Instant.EPOCH, Instant.EPOCH);
    }
  }

  /** What the runtime says of the container (running, paused, stopped…); empty when it does not know it. */
  private Optional<String> runtimeStatus(Container c) {
    ContainerProcess p = store.processes.get(c.id());
    if (p == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(p.state().status());
    } catch (BerthException e) {
      return Optional.empty();
    }
  }
}
