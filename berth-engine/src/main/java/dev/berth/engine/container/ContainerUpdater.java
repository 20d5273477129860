package dev.berth.engine.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.OciRuntime;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Resources;
import dev.berth.engine.runtime.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Docker's {@code update}: checks the new limits with dockerd's rules and words, applies them to a
 * running container's cgroup through the OCI runtime ({@code runc update}), then stores them in the
 * container's config, so inspect shows them and every later start uses them. A stopped container
 * only gets the new config. Nothing changes when a check or the runtime fails.
 */
public final class ContainerUpdater {
  static final long MIN_MEMORY = 6 * 1024 * 1024;
  private static final long NANO = 1_000_000_000L;
  private static final long DEFAULT_CFS_PERIOD = 100_000L;
  static final String KERNEL_MEMORY_WARNING =
      "Specifying a kernel memory limit is deprecated and will be removed in a future release.";
  static final String NO_BLKIO_WEIGHT_WARNING =
      "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.";

  /** What the host offers: CPUs, the cpuset lists, whether a block I/O weight can be set. */
  public record Host(int cpus, String cpusetCpus, String cpusetMems, boolean blkioWeight) {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");

    public static Host probe() {
      int cpus = Runtime.getRuntime().availableProcessors();
      String allCpus = cpus == 1 ? "0" : "0-" + (cpus - 1);
      return new Host(cpus,
          firstLine(List.of(CGROUP.resolve("cpuset/cpuset.effective_cpus"), CGROUP.resolve("cpuset.cpus.effective")),
              allCpus),
          firstLine(List.of(CGROUP.resolve("cpuset/cpuset.effective_mems"), CGROUP.resolve("cpuset.mems.effective")),
              "0"),
          Files.exists(CGROUP.resolve("blkio/blkio.weight")) || Files.exists(CGROUP.resolve("blkio/blkio.bfq.weight"))
              || Files.exists(CGROUP.resolve("io.bfq.weight")) || Files.exists(CGROUP.resolve("io.weight")));
    }

    private static String firstLine(List<Path> candidates, String fallback) {
      for (Path p : candidates) {
        try {
          String v = Files.readString(p).strip();
          if (!v.isEmpty()) {
            return v;
          }
        } catch (IOException e) {
          // not this layout
        }
      }
      return fallback;
    }
  }

  private final ContainerStore store;
  private final Host host;

  ContainerUpdater(ContainerStore store, Host host) {
    this.store = store;
    this.host = host;
  }

  /** Applies the update; the warnings dockerd would give (null-free, possibly empty). */
  public List<String> update(String nameOrId, ContainerUpdate u) {
    List<String> warnings = new ArrayList<>();
    ContainerUpdate checked = checked(u, host, warnings);
    Container c = store.find(nameOrId);
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    try {
      c = store.find(c.id());
      ContainerConfig next = merged(c, checked);
      if (c.running()) {
        if (VmIsolation.isVm(c.config())) {
          throw VmIsolation.unsupported(c, "update");
        }
        Resources live = liveResources(checked, next);
        if (live != null) {
          OciRuntime runtime = store.conmon(c).runtime();
          try {
            runtime.update(c.id(), live);
          } catch (BerthException.NotFound | BerthException.InvalidArgument e) {
            throw e;
          } catch (BerthException e) {
            throw new BerthException("Cannot update container " + c.id() + ": " + e.getMessage(), e);
          }
        }
      }
      try {
        store.table.updateConfig(c.id(), ContainerStore.JSON.writeValueAsString(next));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write the config of " + c.id(), e);
      }
      store.events.emitted(c, "update");
      return warnings;
    } finally {
      lock.unlock();
    }
  }

  /** The checks dockerd makes of the update alone (400s); drops what the host cannot apply, with a warning. */
  static ContainerUpdate checked(ContainerUpdate u, Host host, List<String> warnings) {
    if (u.memory() != null && u.memory() > 0 && u.memory() < MIN_MEMORY) {
      throw new BerthException.InvalidArgument("Minimum memory limit allowed is 6MB");
    }
    if (u.memory() != null && u.memory() > 0 && u.memorySwap() != null && u.memorySwap() > 0
        && u.memorySwap() < u.memory()) {
      throw new BerthException.InvalidArgument("Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (u.memoryReservation() != null && u.memoryReservation() > 0) {
      if (u.memoryReservation() < MIN_MEMORY) {
        throw new BerthException.InvalidArgument("Minimum memory reservation allowed is 6MB");
      }
      if (u.memory() != null && u.memory() > 0 && u.memory() < u.memoryReservation()) {
        throw new BerthException.InvalidArgument(
            "Minimum memory limit can not be less than memory reservation limit, see usage");
      }
    }
    Long kernelMemory = u.kernelMemory();
    if (kernelMemory != null && kernelMemory != 0) {
      warnings.add(KERNEL_MEMORY_WARNING); // and not applied: the kernel has no such limit any more
    }
    if (u.nanoCpus() != null && u.nanoCpus() != 0) {
      if (u.cpuPeriod() != null && u.cpuPeriod() != 0) {
        throw new BerthException.InvalidArgument("Conflicting options: Nano CPUs and CPU Period cannot both be set");
      }
      if (u.cpuQuota() != null && u.cpuQuota() != 0) {
        throw new BerthException.InvalidArgument("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
      }
      if (u.nanoCpus() < NANO / 100 || u.nanoCpus() > host.cpus() * NANO) {
        throw new BerthException.InvalidArgument("Range of CPUs is from 0.01 to " + host.cpus() + ".00, as there are only "
            + host.cpus() + " CPUs available");
      }
    }
    if (u.cpuPeriod() != null && u.cpuPeriod() != 0 && (u.cpuPeriod() < 1000 || u.cpuPeriod() > 1_000_000)) {
      throw new BerthException.InvalidArgument(
          "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    }
    if (u.cpuQuota() != null && u.cpuQuota() > 0 && u.cpuQuota() < 1000) {
      throw new BerthException.InvalidArgument("CPU cfs quota can not be less than 1ms (i.e. 1000)");
    }
    checkCpuset(u.cpusetCpus(), host.cpusetCpus(), "cpuset cpus", "CPUs");
    checkCpuset(u.cpusetMems(), host.cpusetMems(), "cpuset mems", "memory nodes");
    Long blkio = u.blkioWeight();
    if (blkio != null && blkio != 0) {
      if (!host.blkioWeight()) {
        warnings.add(NO_BLKIO_WEIGHT_WARNING);
        blkio = null;
      } else if (blkio < 10 || blkio > 1000) {
        throw new BerthException.InvalidArgument("Range of blkio weight is from 10 to 1000");
      }
    }
    return new ContainerUpdate(u.memory(), u.memorySwap(), u.memoryReservation(), null, u.nanoCpus(), u.cpuShares(),
        u.cpuPeriod(), u.cpuQuota(), u.cpusetCpus(), u.cpusetMems(), u.pidsLimit(), blkio, u.restartPolicy());
  }

  private static void checkCpuset(String requested, String available, String what, String plural) {
    if (requested == null || requested.isEmpty()) {
      return;
    }
    TreeSet<Integer> want = parseList(requested);
    if (want == null) {
      throw new BerthException.InvalidArgument("Invalid value " + requested + " for " + what);
    }
    TreeSet<Integer> have = parseList(available);
    if (have != null && !have.containsAll(want)) {
      throw new BerthException.InvalidArgument("Requested " + plural + " are not available - requested " + requested
          + ", available: " + available);
    }
  }

  /** A cpuset list such as "0-2,4"; null when it is not one. */
  static TreeSet<Integer> parseList(String list) {
    TreeSet<Integer> out = new TreeSet<>();
    try {
      for (String part : list.split(",")) {
        String[] range = part.strip().split("-");
        if (range.length == 1) {
          out.add(Integer.parseInt(range[0]));
        } else if (range.length == 2) {
          int from = Integer.parseInt(range[0]);
          int to = Integer.parseInt(range[1]);
          if (from > to || to - from > 4096) {
            return null;
          }
          for (int i = from; i <= to; i++) {
            out.add(i);
          }
        } else {
          return null;
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return out;
  }

  /** The container's config with the update, after dockerd's checks against what it has (409s). */
  static ContainerConfig merged(Container c, ContainerUpdate u) {
    ContainerConfig cfg = c.config();
    ResourceLimits l = cfg.limits();
    String id = c.id();
    long memory = cfg.memory();
    long swap = cfg.memorySwap() == 0 && cfg.memory() > 0 ? 2 * cfg.memory() : cfg.memorySwap(); // Docker's default
    if (set(u.memory())) {
      if (u.memory() > swap && !set(u.memorySwap())) {
        throw conflict(id, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap"
            + " at the same time");
      }
      memory = u.memory();
    }
    if (set(u.memorySwap())) {
      swap = u.memorySwap();
    }
    long nanoCpus = cfg.nanoCpus();
    long cpuQuota = l.cpuQuota();
    long cpuPeriod = l.cpuPeriod();
    if (set(u.nanoCpus())) {
      if (cpuQuota != 0) {
        throw conflict(id, "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
      }
      if (cpuPeriod != 0) {
        throw conflict(id, "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
      }
      nanoCpus = u.nanoCpus();
    }
    if (set(u.cpuQuota())) {
      if (nanoCpus != 0) {
        throw conflict(id, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
      }
      cpuQuota = u.cpuQuota();
    }
    if (set(u.cpuPeriod())) {
      if (nanoCpus != 0) {
        throw conflict(id, "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
      }
      cpuPeriod = u.cpuPeriod();
    }
    RestartPolicy restart = cfg.restartPolicy();
    if (u.restartPolicy() != null) {
      if (cfg.autoRemove() && !u.restartPolicy().name().equals("no")) {
        throw new BerthException.InvalidArgument(
            "Restart policy cannot be updated because AutoRemove is enabled for the container");
      }
      restart = u.restartPolicy();
    }
    ResourceLimits limits = new ResourceLimits(cpuPeriod, cpuQuota,
        u.cpusetMems() != null && !u.cpusetMems().isEmpty() ? u.cpusetMems() : l.cpusetMems(),
        set(u.blkioWeight()) ? u.blkioWeight() : l.blkioWeight());
    ContainerConfig next = cfg.withUpdate(memory, memory == cfg.memory() && !set(u.memorySwap()) ? cfg.memorySwap() : swap,
        nanoCpus, set(u.cpuShares()) ? u.cpuShares() : cfg.cpuShares(),
        u.cpusetCpus() != null && !u.cpusetCpus().isEmpty() ? u.cpusetCpus() : cfg.cpusetCpus(),
        u.pidsLimit() != null ? u.pidsLimit() : cfg.pidsLimit(), limits, restart);
    // the soft limit lives where create puts it (HostOptions), so inspect and the spec read one value
    return set(u.memoryReservation()) ? next.withHost(next.host().withMemoryReservation(u.memoryReservation())) : next;
  }

  /** What the runtime must change in the running container's cgroup; null when nothing. */
  static Resources liveResources(ContainerUpdate u, ContainerConfig next) {
    Resources.Memory memory = null;
    if (set(u.memory()) || set(u.memorySwap()) || set(u.memoryReservation())) {
      memory = new Resources.Memory(set(u.memory()) ? u.memory() : null,
          set(u.memoryReservation()) ? u.memoryReservation() : null,
          set(u.memory()) || set(u.memorySwap()) ? swapOf(next) : null, null, null);
    }
    Resources.Cpu cpu = null;
    boolean nano = set(u.nanoCpus());
    if (nano || set(u.cpuShares()) || set(u.cpuQuota()) || set(u.cpuPeriod()) || !blank(u.cpusetCpus())
        || !blank(u.cpusetMems())) {
      cpu = new Resources.Cpu(set(u.cpuShares()) ? u.cpuShares() : null,
          nano ? Long.valueOf(u.nanoCpus() * DEFAULT_CFS_PERIOD / NANO) : set(u.cpuQuota()) ? u.cpuQuota() : null,
          nano ? Long.valueOf(DEFAULT_CFS_PERIOD) : set(u.cpuPeriod()) ? u.cpuPeriod() : null,
          blank(u.cpusetCpus()) ? null : u.cpusetCpus(), blank(u.cpusetMems()) ? null : u.cpusetMems());
    }
    Resources.Pids pids = u.pidsLimit() == null ? null : new Resources.Pids(u.pidsLimit() > 0 ? u.pidsLimit() : -1);
    Resources.BlockIo blockIo = set(u.blkioWeight()) ? new Resources.BlockIo(u.blkioWeight().intValue()) : null;
    if (memory == null && cpu == null && pids == null && blockIo == null) {
      return null;
    }
    return new Resources(null, memory, cpu, pids, blockIo);
  }

  /** The memory+swap a config's container gets: its own, else twice its memory (Docker's default). */
  private static Long swapOf(ContainerConfig c) {
    if (c.memorySwap() != 0) {
      return c.memorySwap();
    }
    return c.memory() > 0 ? 2 * c.memory() : null;
  }

  /** The spec's resources with the limits of {@link ResourceLimits} added (at every start). */
  static Spec withLimits(Spec spec, ContainerConfig c) {
    ResourceLimits l = c.limits();
    if (l.equals(ResourceLimits.NONE) || spec.linux() == null || spec.linux().resources() == null) {
      return spec;
    }
    Resources r = spec.linux().resources();
    Resources.Cpu cpu = r.cpu();
    if (l.cpuQuota() != 0 || l.cpuPeriod() != 0 || !l.cpusetMems().isEmpty()) {
      Resources.Cpu base = cpu == null ? new Resources.Cpu(null, null, null, null, null) : cpu;
      cpu = new Resources.Cpu(base.shares(), l.cpuQuota() != 0 ? Long.valueOf(l.cpuQuota()) : base.quota(),
          l.cpuPeriod() != 0 ? Long.valueOf(l.cpuPeriod()) : base.period(), base.cpus(),
          l.cpusetMems().isEmpty() ? base.mems() : l.cpusetMems());
    }
    Resources.BlockIo io = l.blkioWeight() > 0 ? new Resources.BlockIo((int) l.blkioWeight()) : r.blockIO();
    Linux x = spec.linux();
    Linux linux = new Linux(x.uidMappings(), x.gidMappings(), x.sysctl(), new Resources(r.devices(), r.memory(), cpu, r.pids(), io),
        x.cgroupsPath(), x.namespaces(), x.devices(), x.seccomp(), x.rootfsPropagation(), x.maskedPaths(),
        x.readonlyPaths());
    return new Spec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.domainname(), spec.mounts(),
        linux, spec.annotations());
  }

  private static boolean set(Long v) {
    return v != null && v != 0;
  }

  private static boolean blank(String s) {
    return s == null || s.isEmpty();
  }

  private static BerthException.Conflict conflict(String id, String why) {
    return new BerthException.Conflict("Cannot update container " + id + ": " + why);
  }
}
