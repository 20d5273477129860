package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import dev.berth.engine.state.VmTable;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QMP connections to running VMs' QEMUs: one per VM, reconnected after a berthd restart,
 * and followed so that pauses and resumes QEMU reports by itself show in the state, and its
 * exit (guest poweroff, crash) is handed to {@code exited}.
 */
final class VmQmp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmQmp.class);
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Publishes a VM event. */
  interface Events {
    void emit(String action, String id, String name);
  }

  /** Told that the QEMU of {@code id} with {@code pid} has exited by itself. */
  interface Exited {
    void exited(String id, long pid);
  }

  private final VmTable table;
  private final Events events;
  private final Exited exited;
  private final Map<String, QmpClient> clients = new ConcurrentHashMap<>();

  VmQmp(VmTable table, Events events, Exited exited) {
    this.table = table;
    this.events = events;
    this.exited = exited;
  }

  /** Connects to a just started QEMU; {@link #watch} follows it once its start is recorded. */
  QmpClient connect(Vm vm) throws IOException {
    return QmpClient.connect(vm.qmpSocket(), TIMEOUT);
  }

  /** The open QMP connection, reconnecting when there is none (after a berthd restart). */
  Optional<QmpClient> client(Vm vm) {
    QmpClient c = clients.get(vm.id());
    if (c != null && !c.closedFuture().isDone()) {
      return Optional.of(c);
    }
    try {
      QmpClient fresh = QmpClient.connect(vm.qmpSocket(), TIMEOUT);
      watch(vm.id(), vm.state().pid(), fresh);
      return Optional.of(fresh);
    } catch (IOException e) {
      log.warn("vm {}: cannot connect to QMP: {}", vm.shortId(), e.getMessage());
      return Optional.empty();
    }
  }

  /** The VM's QMP connection, or Unavailable when QEMU cannot be reached. */
  QmpClient require(Vm vm) {
    return client(vm).orElseThrow(() -> new BerthException.Unavailable(
        "cannot reach QEMU's QMP socket " + vm.qmpSocket() + " for VM " + vm.name()));
  }

  /** Runs a QMP command whose answer does not matter. */
  void call(Vm vm, String command) {
    QmpClient client = require(vm);
    try {
      client.execute(command);
    } catch (IOException e) {
      throw new BerthException.Unavailable("VM " + vm.name() + ": " + e.getMessage());
    }
  }

  /** Closes the VM's connection (it stopped). */
  void forget(String id) {
    QmpClient c = clients.remove(id);
    if (c != null) {
      c.close();
    }
  }

  /** Follows QMP events so pauses, resumes and the guest's own poweroff show in the state. */
  void watch(String id, long pid, QmpClient client) {
    QmpClient old = clients.put(id, client);
    if (old != null) {
      old.close();
    }
    client.addListener(event -> {
      switch (event.name()) {
        case "STOP" -> {
          setIfSamePid(id, pid, "paused");
          Thread.ofVirtual().start(() -> explainStop(id, client));
        }
        case "RESUME" -> setIfSamePid(id, pid, "running");
        default -> log.debug("vm {}: QMP event {} {}", id.substring(0, 12), event.name(), event.data());
      }
    });
    client.closedFuture().thenRun(() -> Thread.ofVirtual().start(() -> {
      clients.remove(id, client);
      // QMP closes when QEMU exits (guest poweroff, crash) or when we close it: only the first
      // is a state change.
      if (HostProcess.awaitExit(pid, id, Duration.ofSeconds(5))) {
        exited.exited(id, pid);
      }
    }));
  }

  /** A STOP we did not ask for may be KVM failing (nested setups): say so in the log. */
  private static void explainStop(String id, QmpClient client) {
    try {
      String status = client.execute("query-status").path("status").asText();
      if (status.equals("internal-error")) {
        log.error("vm {}: the guest stopped with an accelerator internal error; if this host's KVM cannot run "
            + "guests, recreate the VM with --accel tcg (or run berthd with BERTH_VM_ACCEL=tcg)", id.substring(0, 12));
      }
    } catch (IOException e) {
      // QEMU went away; the close handler records that
    }
  }

  private void setIfSamePid(String id, long pid, String state) {
    table.byId(id).filter(r -> r.pid() == pid && (r.state().equals("running") || r.state().equals("paused"))
        && !r.state().equals(state)).ifPresent(r -> {
          table.updateState(id, state, pid, r.accel(), r.startedAt(), null);
          emitState(id, state);
        });
  }

  /** The event of a state QEMU reported by itself (the guest paused, resumed, or powered off). */
  private void emitState(String id, String state) {
    table.byId(id).ifPresent(r -> events.emit(switch (state) {
      case "paused" -> "pause";
      case "running" -> "resume";
      default -> "stop";
    }, id, r.name()));
  }

  /** Closes QMP connections; the VMs keep running. */
  @Override
  public void close() {
    clients.values().forEach(QmpClient::close);
    clients.clear();
  }
}
