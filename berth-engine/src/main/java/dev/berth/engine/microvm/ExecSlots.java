package dev.berth.engine.microvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.vm.QmpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The interactive exec slots of one microVM. A slot's ports (virtio console {@code x<n>t}, ports
 * {@code x<n>i}, {@code o}, {@code e}, {@code x}) are hot-plugged through QMP when an exec first
 * needs them and then kept for the next exec in that slot: each port costs the guest ~4 MiB of
 * receive buffers, so a microVM nobody execs into interactively pays nothing, and ports never
 * unplugged keep the guest's console numbering stable.
 */
final class ExecSlots {
  /** Interactive execs that can run at once in one microVM (each slot's ports take up to ~20 MiB of guest RAM). */
  static final int MAX = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MicroVmPaths paths;
  private final boolean[] busy = new boolean[MAX];
  private final Set<String> plugged = new HashSet<>();

  ExecSlots(MicroVmPaths paths) {
    this.paths = paths;
  }

  /** A free slot; a Conflict naming the limit when all are running execs. */
  synchronized int acquire(String shortId) {
    for (int i = 0; i < MAX; i++) {
      if (!busy[i]) {
        busy[i] = true;
        return i;
      }
    }
    throw new BerthException.Conflict("container " + shortId + " runs " + MAX
        + " interactive execs already (the most a microVM container takes at once); wait for one to end");
  }

  synchronized void release(int slot) {
    busy[slot] = false;
  }

  /** The streams an exec uses: the console and the exit port with a TTY, else stdin, stdout, stderr, exit. */
  static char[] streams(boolean tty) {
    return tty ? new char[] {'t', 'x'} : new char[] {'i', 'o', 'e', 'x'};
  }

  /** Plugs the slot's ports that are not there yet. */
  synchronized void plug(int slot, boolean tty) {
    for (char stream : streams(tty)) {
      String name = name(slot, stream);
      if (plugged.contains(name)) {
        continue;
      }
      try (QmpClient qmp = QmpClient.connect(paths.qmpSocket(), Duration.ofSeconds(5))) {
        add(qmp, "chardev-add", chardev(name, paths.execSocket(slot, stream).toString()));
        ObjectNode device = JSON.createObjectNode().put("driver", stream == 't' ? "virtconsole" : "virtserialport")
            .put("chardev", name).put("name", name).put("id", name + "-port");
        add(qmp, "device_add", device);
        plugged.add(name);
      } catch (IOException e) {
        throw new BerthException("cannot add the exec's ports to the microVM: " + e.getMessage(), e);
      }
    }
  }

  /** Runs an add; one that exists already (plugged before a berthd restart) counts as done. */
  private static void add(QmpClient qmp, String command, JsonNode args) throws IOException {
    try {
      qmp.execute(command, args);
    } catch (QmpClient.QmpException e) {
      String m = e.getMessage();
      if (!m.contains("already exists") && !m.contains("Duplicate")) {
        throw e;
      }
    }
  }

  static String name(int slot, char stream) {
    return "x" + slot + stream;
  }

  /** QMP's chardev-add arguments for a unix socket QEMU listens on without waiting. */
  static ObjectNode chardev(String id, String socket) {
    ObjectNode addr = JSON.createObjectNode().put("type", "unix");
    addr.putObject("data").put("path", socket);
    ObjectNode data = JSON.createObjectNode();
    data.set("addr", addr);
    data.put("server", true).put("wait", false);
    ObjectNode backend = JSON.createObjectNode().put("type", "socket");
    backend.set("data", data);
    ObjectNode args = JSON.createObjectNode().put("id", id);
    args.set("backend", backend);
    return args;
  }
}
