package dev.berth.engine.runtime;

import dev.berth.engine.runtime.spec.Capabilities;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Resources;
import dev.berth.engine.runtime.spec.Rlimit;
import dev.berth.engine.runtime.spec.Root;
import dev.berth.engine.runtime.spec.Seccomp;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.sys.ProcLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link Spec} starting from Docker's defaults ({@link SpecDefaults}); callers override
 * only what the container asks for. Not thread-safe; one builder per spec.
 */
public final class SpecBuilder {
  private final String rootPath;
  private List<String> args = List.of("/bin/sh");
  private final List<String> env = new ArrayList<>(List.of(SpecDefaults.PATH_ENV));
  private String cwd = "/";
  private User user = User.ROOT;
  private boolean terminal;
  private boolean readonlyRootfs;
  private String hostname;
  private List<String> capabilities = SpecDefaults.CAPABILITIES;
  private boolean noNewPrivileges;
  private Integer oomScoreAdj;
  private long shmSizeBytes = SpecDefaults.SHM_SIZE_BYTES;
  private final List<Mount> extraMounts = new ArrayList<>();
  private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
  private final List<Rlimit> rlimits = new ArrayList<>();
  private Long memoryLimit;
  private Long memorySwap;
  private Long memoryReservation;
  private Long memorySwappiness;
  private Boolean disableOomKiller;
  private final List<dev.berth.engine.runtime.spec.Device> devices = new ArrayList<>();
  private final List<dev.berth.engine.runtime.spec.DeviceRule> deviceRules = new ArrayList<>(SpecDefaults.deviceRules());
  private final Map<String, String> sysctls = new LinkedHashMap<>();
  private final java.util.Set<String> droppedMounts = new java.util.HashSet<>();
  private Resources.Cpu cpu;
  private Long pidsLimit;
  private String cgroupsPath;
  private Seccomp seccomp;
  private final Map<String, String> annotations = new LinkedHashMap<>();

  private SpecBuilder(String rootPath, long hostNofileHard) {
    this.rootPath = Objects.requireNonNull(rootPath, "rootPath");
    SpecDefaults.namespaces().forEach(ns -> namespaces.put(ns.type(), ns));
    rlimits.add(SpecDefaults.nofile(SpecDefaults.NOFILE_WANTED, hostNofileHard));
  }

  /** A builder with Docker's defaults; RLIMIT_NOFILE is clamped to this process's hard limit. */
  public static SpecBuilder dockerDefaults(String rootPath) {
    long hard = ProcLimits.ofSelf().nofileHard().orElse(1024);
    return new SpecBuilder(rootPath, hard);
  }

  /** As {@link #dockerDefaults(String)} with the host's hard RLIMIT_NOFILE given (for tests). */
  public static SpecBuilder dockerDefaults(String rootPath, long hostNofileHard) {
    return new SpecBuilder(rootPath, hostNofileHard);
  }

  public SpecBuilder args(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a container needs a command: args is empty");
    }
    this.args = List.copyOf(args);
    return this;
  }

  public SpecBuilder args(String... args) {
    return args(List.of(args));
  }

  /** Adds {@code KEY=value} entries; a key given again replaces the earlier value. */
  public SpecBuilder env(List<String> entries) {
    for (String entry : entries) {
      String key = entry.contains("=") ? entry.substring(0, entry.indexOf('=') + 1) : entry + "=";
      env.removeIf(e -> e.startsWith(key));
      env.add(entry);
    }
    return this;
  }

  public SpecBuilder cwd(String cwd) {
    this.cwd = cwd;
    return this;
  }

  public SpecBuilder user(User user) {
    this.user = user;
    return this;
  }

  public SpecBuilder terminal(boolean terminal) {
    this.terminal = terminal;
    return this;
  }

  public SpecBuilder readonlyRootfs(boolean readonly) {
    this.readonlyRootfs = readonly;
    return this;
  }

  public SpecBuilder hostname(String hostname) {
    this.hostname = hostname;
    return this;
  }

  public SpecBuilder capabilities(List<String> caps) {
    this.capabilities = List.copyOf(caps);
    return this;
  }

  public SpecBuilder noNewPrivileges(boolean value) {
    this.noNewPrivileges = value;
    return this;
  }

  /** Only 0..1000: lowering the OOM score needs CAP_SYS_RESOURCE (see {@link ProcessSpec}). */
  public SpecBuilder oomScoreAdj(int value) {
    if (value < 0 || value > 1000) {
      throw new IllegalArgumentException("oomScoreAdj must be within 0..1000, was " + value);
    }
    this.oomScoreAdj = value;
    return this;
  }

  public SpecBuilder shmSize(long bytes) {
    this.shmSizeBytes = bytes;
    return this;
  }

  public SpecBuilder mount(Mount mount) {
    extraMounts.add(mount);
    return this;
  }

  /** Joins an existing namespace (e.g. {@code network}, /var/run/netns/x) instead of a new one. */
  public SpecBuilder joinNamespace(String type, String path) {
    namespaces.put(type, new Namespace(type, path));
    return this;
  }

  /** Shares the host's namespace of that type (e.g. {@code --network host}). */
  public SpecBuilder hostNamespace(String type) {
    namespaces.remove(type);
    return this;
  }

  /** Sets or replaces an rlimit; RLIMIT_NOFILE is kept at or below the host's hard limit. */
  public SpecBuilder rlimit(Rlimit limit) {
    rlimits.removeIf(r -> r.type().equals(limit.type()));
    rlimits.add(limit);
    return this;
  }

  public SpecBuilder memoryLimit(long bytes) {
    this.memoryLimit = bytes;
    return this;
  }

  /** memory+swap in bytes, -1 for unlimited (needs swap accounting on cgroup v1). */
  public SpecBuilder memorySwap(long bytes) {
    this.memorySwap = bytes;
    return this;
  }

  /** Soft memory limit in bytes (memory.soft_limit_in_bytes / memory.low). */
  public SpecBuilder memoryReservation(long bytes) {
    this.memoryReservation = bytes;
    return this;
  }

  /** 0..100 (cgroup v1's memory.swappiness). */
  public SpecBuilder memorySwappiness(long value) {
    this.memorySwappiness = value;
    return this;
  }

  public SpecBuilder disableOomKiller(boolean disable) {
    this.disableOomKiller = disable;
    return this;
  }

  /** A device node created in the container's /dev. */
  public SpecBuilder device(dev.berth.engine.runtime.spec.Device device) {
    devices.add(device);
    return this;
  }

  /** A devices-cgroup rule after Docker's defaults (later rules win). */
  public SpecBuilder deviceRule(dev.berth.engine.runtime.spec.DeviceRule rule) {
    deviceRules.add(rule);
    return this;
  }

  public SpecBuilder sysctl(String key, String value) {
    sysctls.put(key, value);
    return this;
  }

  /** Leaves one of the default mounts out (e.g. /dev/shm with --ipc none). */
  public SpecBuilder dropMount(String destination) {
    droppedMounts.add(destination);
    return this;
  }

  public SpecBuilder cpu(Resources.Cpu cpu) {
    this.cpu = cpu;
    return this;
  }

  public SpecBuilder pidsLimit(long limit) {
    this.pidsLimit = limit;
    return this;
  }

  /** cgroupfs path, e.g. {@code /berth/<id>}: the same below each v1 controller. */
  public SpecBuilder cgroupsPath(String path) {
    this.cgroupsPath = path;
    return this;
  }

  public SpecBuilder seccomp(Seccomp seccomp) {
    this.seccomp = seccomp;
    return this;
  }

  public SpecBuilder annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public Spec build() {
    List<Mount> mounts = new ArrayList<>(SpecDefaults.mounts(shmSizeBytes));
    mounts.removeIf(m -> droppedMounts.contains(m.destination()));
    // Parents before children, as Docker sorts them (a volume on /etc must not hide /etc/hosts);
    // the sort is stable, so of two mounts on one destination the later still wins.
    List<Mount> extras = new ArrayList<>(extraMounts);
    extras.sort(java.util.Comparator.comparingInt(m -> java.nio.file.Path.of(m.destination()).getNameCount()));
    for (Mount extra : extras) {
      // A user mount on a default destination replaces the default, as in Docker.
      mounts.removeIf(m -> m.destination().equals(extra.destination()));
      mounts.add(extra);
    }
    ProcessSpec process =
        new ProcessSpec(
            terminal,
            null,
            user,
            args,
            List.copyOf(env),
            cwd,
            Capabilities.same(capabilities),
            List.copyOf(rlimits),
            noNewPrivileges,
            null,
            oomScoreAdj);
    Resources.Memory memory =
        memoryLimit == null && memorySwap == null && memoryReservation == null && memorySwappiness == null
                && disableOomKiller == null
            ? null
            : new Resources.Memory(memoryLimit, memoryReservation, memorySwap, memorySwappiness, disableOomKiller);
    Resources resources =
        new Resources(
            List.copyOf(deviceRules),
            memory,
            cpu,
            pidsLimit == null ? null : new Resources.Pids(pidsLimit));
    Linux linux =
        new Linux(
            null,
            null,
            sysctls.isEmpty() ? null : Map.copyOf(sysctls),
            resources,
            cgroupsPath,
            List.copyOf(namespaces.values()),
            devices.isEmpty() ? null : List.copyOf(devices),
            seccomp,
            null,
            SpecDefaults.MASKED_PATHS,
            SpecDefaults.READONLY_PATHS);
    return new Spec(
        Spec.OCI_VERSION,
        process,
        new Root(rootPath, readonlyRootfs),
        hostname,
        null,
        List.copyOf(mounts),
        linux,
        annotations.isEmpty() ? null : Map.copyOf(annotations));
  }
}
