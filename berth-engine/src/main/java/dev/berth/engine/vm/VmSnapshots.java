package dev.berth.engine.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Internal qcow2 snapshots of a VM's own disk. While QEMU runs they go through QMP (HMP's
 * savevm/loadvm/delvm: the guest's memory and devices are saved with the disk, so a restore
 * brings back the running guest); while it does not, through qemu-img (the disk alone). The
 * snapshots live only in the qcow2 file, so there is no second record to keep in step, and
 * they go with the VM on rm.
 */
public final class VmSnapshots {
  // Not all digits: HMP's loadvm/delvm take a snapshot's numeric ID as readily as its name.
  private static final Pattern NAME = Pattern.compile("(?=.*[a-zA-Z_.-])[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");

  /**
   * One snapshot as qemu-img reports it.
   *
   * @param memoryBytes size of the saved guest state; 0 for a disk-only snapshot (taken while stopped)
   * @param vmClock how long the guest had run when it was taken
   */
  public record Snapshot(String name, String id, Instant created, long memoryBytes, Duration vmClock) {
    public boolean withMemory() {
      return memoryBytes > 0;
    }
  }

  private final VmService vms;

  VmSnapshots(VmService vms) {
    this.vms = vms;
  }

  public List<Snapshot> list(String ref) {
    Vm vm = vms.inspect(ref);
    return read(disk(vm));
  }

  /** Takes a snapshot: with the guest's memory when the VM runs or is paused, the disk alone otherwise. */
  public Snapshot create(String ref, String name) {
    checkName(name);
    Vm done = vms.locked(ref, vm -> {
      String disk = disk(vm);
      if (read(disk).stream().anyMatch(s -> s.name().equals(name))) {
        throw new BerthException.Conflict("VM " + vm.name() + " already has a snapshot named \"" + name
            + "\"; remove it first (berth vm snapshot rm " + vm.name() + " " + name + ") or choose another name");
      }
      if (vm.state().hasProcess()) {
        hmp(vm, "savevm " + name);
      } else {
        vms.qemu().snapshot(disk, "-c", name);
      }
      vms.emit("snapshot", vm.id(), vm.name());
      return vm;
    });
    return find(done, name);
  }

  /**
   * Brings a snapshot back. A running VM takes the saved guest with it (so the snapshot must
   * hold memory); a stopped VM gets the snapshot's disk and boots from it at the next start.
   */
  public Vm restore(String ref, String name) {
    return vms.locked(ref, vm -> {
      Snapshot s = find(vm, name);
      if (vm.state().hasProcess()) {
        if (!s.withMemory()) {
          throw new BerthException.Conflict("snapshot \"" + name + "\" of VM " + vm.name()
              + " holds only the disk (it was taken while the VM was stopped); stop the VM, then restore it");
        }
        hmp(vm, "loadvm " + name);
      } else {
        vms.qemu().snapshot(disk(vm), "-a", name);
      }
      vms.emit("restore", vm.id(), vm.name());
      return vm;
    });
  }

  public void remove(String ref, String name) {
    vms.locked(ref, vm -> {
      find(vm, name);
      if (vm.state().hasProcess()) {
        hmp(vm, "delvm " + name);
      } else {
        vms.qemu().snapshot(disk(vm), "-d", name);
      }
      return vm;
    });
  }

  private Snapshot find(Vm vm, String name) {
    return read(disk(vm)).stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new BerthException.NotFound("VM " + vm.name() + " has no snapshot named \"" + name
            + "\" (berth vm snapshot ls " + vm.name() + " lists them)"));
  }

  private List<Snapshot> read(String disk) {
    JsonNode info = vms.qemu().info(disk);
    List<Snapshot> out = new ArrayList<>();
    for (JsonNode s : info.path("snapshots")) {
      out.add(new Snapshot(s.path("name").asText(), s.path("id").asText(),
          Instant.ofEpochSecond(s.path("date-sec").asLong(), s.path("date-nsec").asLong()),
          s.path("vm-state-size").asLong(),
          Duration.ofSeconds(s.path("vm-clock-sec").asLong(), s.path("vm-clock-nsec").asLong())));
    }
    return out;
  }

  /** The disk that snapshots go into: only a qcow2 file Berth made, never a file of the user's. */
  static String disk(Vm vm) {
    VmConfig c = vm.config();
    if (c.disk() == null) {
      throw new BerthException.InvalidArgument("VM " + vm.name() + " has no disk (it boots a kernel only); "
          + "snapshots need a disk Berth made: create the VM with --disk SIZE or --from-disk IMAGE");
    }
    if (!c.ownsDisk() || !"qcow2".equals(c.diskFormat())) {
      throw new BerthException.InvalidArgument("VM " + vm.name() + " boots from your own disk file " + c.disk()
          + "; Berth does not write snapshots into files outside its data root: create the VM with --from-disk "
          + c.disk() + " to get an overlay that can be snapshotted");
    }
    return c.disk();
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BerthException.InvalidArgument("invalid snapshot name \"" + name + "\": use 1 to 64 characters from "
          + "[a-zA-Z0-9_.-], starting with a letter or digit, and not only digits");
    }
  }

  /** An HMP command over QMP: HMP reports failure as text, not as a QMP error. */
  private void hmp(Vm vm, String command) {
    QmpClient client = vms.qmpClient(vm);
    try {
      JsonNode out = client.execute("human-monitor-command",
          JsonNodeFactory.instance.objectNode().put("command-line", command));
      String text = out.asText("").strip();
      if (!text.isEmpty()) {
        throw new BerthException.Unavailable("VM " + vm.name() + ": QEMU refused \"" + command + "\": " + text);
      }
    } catch (IOException e) {
      throw new BerthException.Unavailable("VM " + vm.name() + ": \"" + command + "\" failed: " + e.getMessage());
    }
  }
}
