package dev.berth.engine.vm;

import dev.berth.engine.events.EventBus;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.filesystem.DirectoryTrees;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.VmRow;
import dev.berth.engine.state.VmTable;
import dev.berth.engine.sys.KvmProbe;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Virtual machines: create, start, stop, pause, remove, logs and console, with the state in
 * SQLite and QEMU run detached (VMs outlive berthd; {@link #reconcile} picks them up again).
 */
public final class VmService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmService.class);
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  private static final Duration QUIT_GRACE = Duration.ofSeconds(5);
  private static final long MIN_MEMORY = 16L << 20;

  private final VmTable table;
  private final VmRecords records;
  private final VmQmp qmp;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private volatile Qemu qemu;
  private final EventBus events;
  private final VmSnapshots snapshots = new VmSnapshots(this);

  private final ImageService images;
  private volatile VmNetworking networking;

  public VmService(EngineConfig config, StateStore state, EventBus events) {
    this(config, state, events, null);
  }

  /** With the image store, for VMs whose disk comes from an image ({@code --image}); those images stay while used. */
  public VmService(EngineConfig config, StateStore state, EventBus events, ImageService images) {
    this.table = new VmTable(state);
    this.records = new VmRecords(config, table);
    this.events = events;
    // Under the VM's lock, so a stop or kill in progress records the end only once.
    this.qmp = new VmQmp(table, this::emit, (id, pid) -> withLock(id, () -> table.byId(id)
        .filter(r -> r.pid() == pid && !r.state().equals("stopped")).map(r -> markStopped(view(r))).orElse(null)));
    this.images = images;
    if (images != null) {
      images.setVmUsage(id -> table.all().stream().anyMatch(r -> id.toString().equals(view(r).config().image())));
    }
  }

  /**
   * VMs may join Berth's networks ({@code --network}); the network service keeps running VMs'
   * namespaces at its start-up reconcile, as it keeps running containers'.
   */
  public void useNetworks(dev.berth.engine.network.NetworkService networks) {
    this.networking = new VmNetworking(networks);
    networks.alsoRunning(() -> new HashSet<>(table.all().stream().map(this::view)
        .filter(v -> v.state().hasProcess() && !v.config().networks().isEmpty()).map(Vm::id).toList()));
  }

  public VmSnapshots snapshots() {
    return snapshots;
  }

  /** A VM event on the engine's bus (type "vm", Berth's own): the actor is the VM's ID. */
  void emit(String action, String id, String name) {
    events.publish("vm", action, id, Map.of("name", name));
  }

  /** The QEMU driver, located on first use so berthd runs (without VMs) where QEMU is missing. */
  Qemu qemu() {
    Qemu q = qemu;
    if (q == null) {
      q = Qemu.locate();
      qemu = q;
    }
    return q;
  }

  /** "QEMU 7.2.x (tcg: /dev/kvm does not exist …)" for info, or why there is none. */
  public String hypervisor() {
    try {
      String accel = Qemu.accelerator();
      KvmProbe.Result kvm = KvmProbe.probe();
      String why = accel.equals("tcg") && kvm.usable() ? "BERTH_VM_ACCEL=tcg" : kvm.reason();
      return "QEMU " + qemu().version() + " (" + accel + ": " + why + ")";
    } catch (BerthException.Unavailable e) {
      return "none (" + e.getMessage() + ")";
    }
  }

  // ---- create ----------------------------------------------------------------------------

  public Vm create(VmSpec spec) {
    String id = newId();
    String name = spec.name() == null || spec.name().isBlank() ? "vm-" + id.substring(0, 12) : spec.name();
    checkName(name);
    int cpus = spec.cpus() == null ? 1 : spec.cpus();
    if (cpus < 1 || cpus > 255) {
      throw new BerthException.InvalidArgument("invalid --cpus " + cpus + ": use 1 to 255");
    }
    long memory = ByteSize.parse("--memory", spec.memory() == null ? "512m" : spec.memory());
    if (memory < MIN_MEMORY) {
      throw new BerthException.InvalidArgument("invalid --memory \"" + spec.memory() + "\": a VM needs at least 16m");
    }
    Path kernel = spec.kernel() == null ? null : VmDisks.readableFile("--kernel", spec.kernel());
    Path initrd = spec.initrd() == null ? null : VmDisks.readableFile("--initrd", spec.initrd());
    if (kernel == null && (initrd != null || spec.append() != null)) {
      throw new BerthException.InvalidArgument("--initrd and --append need --kernel");
    }
    VmDisks.Choice disks = VmDisks.choose(spec, this::diskImage);
    if (kernel == null && spec.disk() == null && disks.base() == null) {
      throw new BerthException.InvalidArgument("nothing to boot: give --kernel, --disk, --from-disk or --image");
    }
    String accel = Qemu.checkAccel(spec.accel());
    Path userData = spec.cloudInit() == null ? null : VmDisks.readableFile("--cloud-init", spec.cloudInit());
    List<PortMapping> ports = ports(spec.ports());
    if (!spec.networks().isEmpty() && networking == null) {
      throw new BerthException.Unavailable("this engine has no networks for --network");
    }
    if (table.byName(name).isPresent()) {
      throw nameTaken(name);
    }

    Path dir = records.vmDir(id);
    try {
      Files.createDirectories(dir);
      VmDisks.Made disk = VmDisks.make(qemu(), disks, dir);
      String seed = null;
      if (userData != null) {
        Path file = dir.resolve("seed.img");
        CloudInitSeed.write(file, userData, id, name);
        seed = file.toString();
      }
      Path base = disks.base();
      VmConfig vmConfig = new VmConfig(cpus, memory, disk.disk(), disk.format(), base == null ? null : base.toString(),
          disks.newDisk() || base != null, str(kernel), str(initrd), spec.append(), seed, ports,
          kernel != null ? "microvm" : "q35", accel,
          disks.fromImage() == null ? null : disks.fromImage().image().id().toString(), spec.networks());
      VmRow row = new VmRow(id, name, Instant.now().toString(), VmRecords.toJson(vmConfig), "created", 0, null, null, null);
      if (!spec.networks().isEmpty()) {
        networking.join(id, name, spec.networks());
      }
      if (!table.insert(row)) {
        throw nameTaken(name);
      }
      log.info("vm {}: created {} ({} cpu, {} MiB)", id.substring(0, 12), name, cpus, memory >> 20);
      emit("create", id, name);
      return view(row);
    } catch (IOException e) {
      forgetNetworks(id, spec.networks());
      deleteTree(dir);
      throw new BerthException.Unavailable("cannot create " + dir + ": " + e.getMessage());
    } catch (RuntimeException e) {
      forgetNetworks(id, spec.networks());
      deleteTree(dir);
      throw e;
    }
  }

  private void forgetNetworks(String id, List<String> networks) {
    if (!networks.isEmpty() && networking != null) {
      networking.forget(id);
    }
  }

  private VmDiskImages.DiskFile diskImage(String ref) {
    if (images == null) {
      throw new BerthException.Unavailable("this engine has no image store for --image");
    }
    return VmDiskImages.diskOf(images, ref);
  }

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new BerthException.InvalidArgument("invalid VM name \"" + name
          + "\": use at least two characters from [a-zA-Z0-9_.-], starting with a letter or digit");
    }
  }

  private static List<PortMapping> ports(List<String> specs) {
    List<PortMapping> ports = new ArrayList<>();
    Set<Integer> hostPorts = new HashSet<>();
    for (String p : specs == null ? List.<String>of() : specs) {
      PortMapping m = PortMapping.parse(p);
      if (!hostPorts.add(m.hostPort())) {
        throw new BerthException.InvalidArgument("host port " + m.hostPort() + " is given twice in -p");
      }
      ports.add(m);
    }
    ports.forEach(PortMapping::checkFree);
    return ports;
  }

  /**
   * A new VM, in state created, with {@code ref}'s configuration and a copy of its disk
   * (snapshots included; an overlay keeps pointing at its base). The source must not run, so
   * the copy is consistent. Published ports are not copied, since two VMs cannot hold one host
   * port: {@code ports} are the clone's own.
   */
  public Vm cloneOf(String ref, String newName, List<String> portSpecs) {
    if (newName == null || newName.isBlank()) {
      throw new BerthException.InvalidArgument("no name given for the clone: name the new VM");
    }
    checkName(newName);
    List<PortMapping> ports = ports(portSpecs);
    String id = newId();
    Path dir = records.vmDir(id);
    return locked(ref, source -> {
      if (source.state().hasProcess()) {
        throw new BerthException.Conflict("VM " + source.name() + " is " + source.state().name()
            + "; stop it before cloning, so its disk is copied whole (berth vm stop " + source.name() + ")");
      }
      VmConfig c = source.config();
      if (c.disk() != null && !c.ownsDisk()) {
        throw new BerthException.InvalidArgument("VM " + source.name() + " boots from your own disk file " + c.disk()
            + "; a clone would write to the same file: create a VM with --from-disk " + c.disk() + " instead");
      }
      if (table.byName(newName).isPresent()) {
        throw nameTaken(newName);
      }
      try {
        Files.createDirectories(dir);
        String disk = c.disk() == null ? null : VmDisks.copyInto(dir, Path.of(c.disk()));
        String seed = c.seed() == null ? null : VmDisks.copyInto(dir, Path.of(c.seed()));
        VmConfig copy = new VmConfig(c.cpus(), c.memoryBytes(), disk, c.diskFormat(), c.baseDisk(), c.ownsDisk(),
            c.kernel(), c.initrd(), c.append(), seed, ports, c.machine(), c.accel(), c.image(), c.networks());
        if (!c.networks().isEmpty()) {
          networking.join(id, newName, c.networks());
        }
        VmRow row = new VmRow(id, newName, Instant.now().toString(), VmRecords.toJson(copy), "created", 0, null, null, null);
        if (!table.insert(row)) {
          throw nameTaken(newName);
        }
        log.info("vm {}: cloned {} from {}", id.substring(0, 12), newName, source.name());
        emit("create", id, newName);
        return view(row);
      } catch (IOException e) {
        forgetNetworks(id, c.networks());
        deleteTree(dir);
        throw new BerthException.Unavailable("cannot clone VM " + source.name() + " into " + dir + ": " + e.getMessage());
      } catch (RuntimeException e) {
        forgetNetworks(id, c.networks());
        deleteTree(dir);
        throw e;
      }
    });
  }

  private static BerthException nameTaken(String name) {
    return new BerthException.Conflict("the VM name \"" + name + "\" is already in use; remove that VM or choose another --name");
  }

  // ---- lifecycle -------------------------------------------------------------------------

  public Vm start(String ref) {
    return locked(ref, vm -> {
      switch (vm.state()) {
        case VmState.Running r -> {
          return vm;
        }
        case VmState.Paused p -> throw new BerthException.Conflict("VM " + vm.name() + " is paused; use resume");
        default -> { }
      }
      return launch(vm);
    });
  }

  private Vm launch(Vm vm) {
    vm.config().ports().forEach(PortMapping::checkFree);
    Qemu q = qemu();
    String accel = Qemu.accelerator(vm.config().accel());
    try {
      deleteTree(vm.runDir());
      Files.createDirectories(vm.runDir());
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot create " + vm.runDir() + ": " + e.getMessage());
    }
    long pid = 0;
    boolean networked = !vm.config().networks().isEmpty();
    try {
      List<String> cmd;
      if (networked) {
        VmNetworking.Wired wired = networking.attach(vm);
        cmd = new ArrayList<>(List.of("nsenter", "--net=" + wired.netns()));
        cmd.addAll(q.commandLine(vm, accel, Qemu.hostKhz(),
            VmNetworking.qemuArgs(wired.interfaces(), vm.config().machine().equals("microvm") ? "device" : "pci")));
      } else {
        cmd = q.commandLine(vm, accel, Qemu.hostKhz());
      }
      log.info("vm {}: starting QEMU ({}): {}", vm.shortId(), accel, String.join(" ", cmd));
      q.launch(cmd);
      pid = HostProcess.readPid(vm.pidFile());
      QmpClient client = qmp.connect(vm);
      String now = Instant.now().toString();
      table.updateState(vm.id(), "running", pid, accel, now, null);
      emit("start", vm.id(), vm.name());
      qmp.watch(vm.id(), pid, client);
      return view(row(vm.id()));
    } catch (IOException | RuntimeException e) {
      if (pid > 0) {
        HostProcess.kill(pid);
        HostProcess.awaitExit(pid, vm.id(), QUIT_GRACE);
      }
      if (networked) {
        networking.detach(vm);
      }
      deleteTree(vm.runDir());
      if (e instanceof BerthException b) {
        throw b;
      }
      throw new BerthException.Unavailable("VM " + vm.name() + " did not start: " + e.getMessage());
    }
  }

  /**
   * Stops a VM: ACPI power button, then QMP quit after {@code timeout}, then SIGKILL, so it
   * ends even when the guest ignores ACPI.
   */
  public Vm stop(String ref, Duration timeout) {
    return locked(ref, vm -> stopLocked(vm, timeout));
  }

  private Vm stopLocked(Vm vm, Duration timeout) {
    if (!vm.state().hasProcess()) {
      return vm;
    }
    long pid = vm.state().pid();
    Optional<QmpClient> client = qmp.client(vm);
    boolean gone = false;
    if (client.isPresent() && vm.state() instanceof VmState.Running) {
      try {
        client.get().execute("system_powerdown");
        gone = HostProcess.awaitExit(pid, vm.id(), timeout);
      } catch (IOException e) {
        log.debug("vm {}: system_powerdown: {}", vm.shortId(), e.getMessage());
      }
    }
    if (!gone && client.isPresent()) {
      log.info("vm {}: guest did not power off within {}s; sending QMP quit", vm.shortId(), timeout.toSeconds());
      try {
        client.get().execute("quit");
      } catch (IOException e) {
        // QEMU may close the socket before answering quit
      }
      gone = HostProcess.awaitExit(pid, vm.id(), QUIT_GRACE);
    }
    if (!gone) {
      log.warn("vm {}: QEMU did not quit; sending SIGKILL", vm.shortId());
      killAndWait(vm);
    }
    return markStopped(vm);
  }

  public Vm kill(String ref) {
    return locked(ref, vm -> {
      if (!vm.state().hasProcess()) {
        throw new BerthException.Conflict("VM " + vm.name() + " is not running");
      }
      killAndWait(vm);
      return markStopped(vm);
    });
  }

  private void killAndWait(Vm vm) {
    long pid = vm.state().pid();
    HostProcess.kill(pid);
    if (!HostProcess.awaitExit(pid, vm.id(), QUIT_GRACE)) {
      throw new BerthException.Unavailable("QEMU (pid " + pid + ") of VM " + vm.name() + " survived SIGKILL");
    }
  }

  public Vm restart(String ref, Duration timeout) {
    return locked(ref, vm -> launch(stopLocked(vm, timeout)));
  }

  public Vm pause(String ref) {
    return locked(ref, vm -> {
      if (!(vm.state() instanceof VmState.Running r)) {
        throw new BerthException.Conflict("VM " + vm.name() + " is " + vm.state().name() + ", not running");
      }
      qmp.call(vm, "stop");
      table.updateState(vm.id(), "paused", r.pid(), vm.accel(), vm.startedAt(), null);
      emit("pause", vm.id(), vm.name());
      return view(row(vm.id()));
    });
  }

  public Vm resume(String ref) {
    return locked(ref, vm -> {
      if (!(vm.state() instanceof VmState.Paused p)) {
        throw new BerthException.Conflict("VM " + vm.name() + " is " + vm.state().name() + ", not paused");
      }
      qmp.call(vm, "cont");
      table.updateState(vm.id(), "running", p.pid(), vm.accel(), vm.startedAt(), null);
      emit("resume", vm.id(), vm.name());
      return view(row(vm.id()));
    });
  }

  /** The VM's QMP connection, or Unavailable when QEMU cannot be reached. */
  QmpClient qmpClient(Vm vm) {
    return qmp.require(vm);
  }

  /** Removes a VM and its files; a running one only with {@code force} (it is killed). */
  public void remove(String ref, boolean force) {
    locked(ref, vm -> {
      if (vm.state().hasProcess()) {
        if (!force) {
          throw new BerthException.Conflict("VM " + vm.name() + " is " + vm.state().name()
              + "; stop it first or remove it with force (berth vm rm -f)");
        }
        killAndWait(vm);
        markStopped(vm);
      }
      forgetNetworks(vm.id(), vm.config().networks());
      deleteTree(vm.runDir());
      deleteTree(vm.dir());
      table.delete(vm.id());
      log.info("vm {}: removed {}", vm.shortId(), vm.name());
      emit("destroy", vm.id(), vm.name());
      return vm;
    });
  }

  private Vm markStopped(Vm vm) {
    qmp.forget(vm.id());
    table.updateState(vm.id(), "stopped", 0, vm.accel(), vm.startedAt(), Instant.now().toString());
    if (!vm.config().networks().isEmpty() && networking != null) {
      networking.detach(vm); // before the run dir goes: the DHCP server's pidfile is there
    }
    deleteTree(vm.runDir());
    log.info("vm {}: stopped", vm.shortId());
    emit("stop", vm.id(), vm.name());
    return view(row(vm.id()));
  }

  // ---- queries ---------------------------------------------------------------------------

  public List<Vm> list() {
    return table.all().stream().map(this::refreshed).toList();
  }

  public Vm inspect(String ref) {
    return refreshed(resolve(ref));
  }

  /**
   * Writes the serial log to {@code out}; with {@code follow}, keeps writing what the guest
   * prints until the VM stops or the reader goes away.
   */
  public void logs(String ref, boolean follow, OutputStream out) throws IOException {
    Vm vm = inspect(ref);
    VmConsole.logs(vm, follow,
        () -> table.byId(vm.id()).map(this::refreshed).map(v -> v.state().hasProcess()).orElse(false), out);
  }

  /** A connection to the VM's serial console socket (QEMU takes one client at a time). */
  public SocketChannel openConsole(String ref) {
    return VmConsole.open(inspect(ref));
  }

  /**
   * At engine start: VMs whose QEMU still runs (checked by pid and command line) are running
   * again, with QMP reconnected; those whose QEMU is gone are stopped.
   */
  public void reconcile() {
    for (VmRow row : table.all()) {
      try {
        reconcile(view(row));
      } catch (RuntimeException e) {
        // One bad VM must not keep berthd from starting; it shows up as it was recorded.
        log.error("vm {}: reconcile failed: {}", row.id().substring(0, 12), e.toString());
      }
    }
  }

  private void reconcile(Vm vm) {
    if (!vm.state().hasProcess()) {
      return;
    }
    if (!HostProcess.alive(vm.state().pid(), vm.id())) {
      log.info("vm {}: QEMU (pid {}) is gone", vm.shortId(), vm.state().pid());
      markStopped(vm);
      return;
    }
    qmp.client(vm).ifPresent(c -> {
      try {
        JsonNode status = c.execute("query-status");
        String state = status.path("running").asBoolean(true) ? "running" : "paused";
        table.updateState(vm.id(), state, vm.state().pid(), vm.accel(), vm.startedAt(), null);
      } catch (IOException e) {
        log.warn("vm {}: query-status: {}", vm.shortId(), e.getMessage());
      }
    });
    log.info("vm {}: QEMU (pid {}) still runs; reconnected", vm.shortId(), vm.state().pid());
  }

  private Vm refreshed(VmRow row) {
    Vm vm = view(row);
    if (vm.state().hasProcess() && !HostProcess.alive(vm.state().pid(), vm.id())) {
      return withLock(vm.id(), () -> {
        Vm again = view(row(vm.id()));
        return again.state().hasProcess() && !HostProcess.alive(again.state().pid(), again.id())
            ? markStopped(again) : again;
      });
    }
    return vm;
  }

  private Vm refreshed(Vm vm) {
    return refreshed(row(vm.id()));
  }

  /** A VM by full ID, name, or unique ID prefix. */
  Vm resolve(String ref) {
    return records.resolve(ref);
  }

  private VmRow row(String id) {
    return records.row(id);
  }

  private Vm view(VmRow row) {
    return records.view(row);
  }

  interface VmWork {
    Vm apply(Vm vm);
  }

  Vm locked(String ref, VmWork work) {
    String id = resolve(ref).id();
    return withLock(id, () -> work.apply(refreshedNoLock(id)));
  }

  private Vm refreshedNoLock(String id) {
    Vm vm = view(row(id));
    if (vm.state().hasProcess() && !HostProcess.alive(vm.state().pid(), vm.id())) {
      return markStopped(vm);
    }
    return vm;
  }

  private <T> T withLock(String id, java.util.function.Supplier<T> work) {
    ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  private static String str(Path p) {
    return p == null ? null : p.toString();
  }

  private static String newId() {
    return VmRecords.newId();
  }

  static void deleteTree(Path dir) {
    DirectoryTrees.deleteOrWarn(dir, log);
  }

  /** Closes QMP connections; the VMs keep running (they belong to no berthd process). */
  @Override
  public void close() {
    qmp.close();
  }
}
