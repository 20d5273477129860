package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.DockerSeccompProfile;
import dev.berth.engine.runtime.SpecBuilder;
import dev.berth.engine.runtime.SpecDefaults;
import dev.berth.engine.runtime.spec.Capabilities;
import dev.berth.engine.runtime.spec.Device;
import dev.berth.engine.runtime.spec.DeviceRule;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Resources;
import dev.berth.engine.runtime.spec.Rlimit;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Turns a container's (merged) config into its OCI spec. Pure: no I/O, so it is unit-tested. */
public final class ContainerSpecs {
  /** Where the init binary (tini) appears in the container, as in Docker. */
  public static final String INIT_PATH = "/dev/init";

  /** Every capability the kernels we run on know, in bit order (CAP_CHOWN = 0). */
  static final List<String> ALL_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
      "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
      "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
      "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
      "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE");

  /**
   * The capabilities in this process's bounding set (CapBnd of /proc/self/status), in kernel bit
   * order: --privileged can only pass on what the host grants berthd (here CAP_SYS_RESOURCE is
   * missing, and asking runc for it fails the start).
   */
  public static List<String> boundingSet() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapBnd:")) {
          return fromMask(Long.parseUnsignedLong(line.substring(7).strip(), 16));
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux, or an odd /proc: fall back to everything we know
    }
    return ALL_CAPS;
  }

  static List<String> fromMask(long mask) {
    List<String> caps = new ArrayList<>();
    for (int bit = 0; bit < ALL_CAPS.size(); bit++) {
      if ((mask & (1L << bit)) != 0) {
        caps.add(ALL_CAPS.get(bit));
      }
    }
    return List.copyOf(caps);
  }

  /** Files Berth generates per container and bind-mounts over the image's. */
  public record EtcFiles(Path hosts, Path hostname, Path resolvConf) {}

  private ContainerSpecs() {}

  /**
   * @param hostNofileHard the host's hard RLIMIT_NOFILE: nothing above it can be granted
   * @param availableCaps the capabilities this host's bounding set holds (--privileged gets these)
   */
  public static Spec build(String id, ContainerConfig c, Path rootfs, EtcFiles etc, User user, Path initBinary,
      long hostNofileHard, List<String> availableCaps) {
    return build(id, c, rootfs, etc, user, initBinary, hostNofileHard, availableCaps, java.util.Optional.empty());
  }

  /**
   * As above, with {@code defaultSeccomp} applied unless the container is privileged or names
   * its own profile (or unconfined), as Docker applies its default profile. A privileged
   * container gets no seccomp filter at all, as with dockerd 20.10.
   */
  public static Spec build(String id, ContainerConfig c, Path rootfs, EtcFiles etc, User user, Path initBinary,
      long hostNofileHard, List<String> availableCaps, java.util.Optional<DockerSeccompProfile> defaultSeccomp) {
    List<String> args = new ArrayList<>(c.args());
    if (args.isEmpty()) {
      throw new BerthException.InvalidArgument("No command specified");
    }
    if (c.init()) {
      args.addAll(0, List.of(INIT_PATH, "--"));
    }
    SpecBuilder b = SpecBuilder.dockerDefaults(rootfs.toString(), hostNofileHard)
        .args(args)
        .cwd(c.workingDir().isEmpty() ? "/" : c.workingDir())
        .user(user)
        .terminal(c.tty())
        .readonlyRootfs(c.readonlyRootfs())
        .hostname(c.hostname())
        .cgroupsPath("/berth/" + id)
        .annotation("dev.berth.container.id", id);
    List<String> env = new ArrayList<>();
    env.add("HOSTNAME=" + c.hostname());
    if (c.tty()) {
      env.add("TERM=xterm");
    }
    env.addAll(c.env());
    b.env(env);
    b.capabilities(capabilities(c, availableCaps));
    boolean seccompChosen = false;
    for (String opt : c.securityOpt()) {
      String o = opt.replace('=', ':');
      if (o.equals("no-new-privileges") || o.equals("no-new-privileges:true")) {
        b.noNewPrivileges(true);
      } else if (o.equals("seccomp:unconfined")) {
        seccompChosen = true;
      } else if (o.equals("no-new-privileges:false") || o.startsWith("label") || o.startsWith("apparmor")) {
        // no LSMs on this host: nothing to set
      } else if (o.startsWith("seccomp:") && c.privileged()) {
        // A privileged container runs without seccomp, even with a profile named: dockerd 20.10
        // and containerd's CRI both drop it (critest checks that such a container can sethostname).
        seccompChosen = true;
      } else if (o.startsWith("seccomp:")) {
        seccompChosen = true;
        Path file = Path.of(opt.substring("seccomp".length() + 1));
        b.seccomp(DockerSeccompProfile.read(file).toOci(System.getProperty("os.arch"), capabilities(c, availableCaps),
            System.getProperty("os.version")));
      } else {
        throw new BerthException.InvalidArgument("invalid --security-opt: " + opt);
      }
    }
    if (!seccompChosen && !c.privileged()) {
      defaultSeccomp.ifPresent(p -> b.seccomp(p.toOci(System.getProperty("os.arch"), capabilities(c, availableCaps),
          System.getProperty("os.version"))));
    }
    b.mount(new Mount("/etc/hosts", "bind", etc.hosts().toString(), List.of("rbind", "rprivate")));
    b.mount(new Mount("/etc/hostname", "bind", etc.hostname().toString(), List.of("rbind", "rprivate")));
    b.mount(new Mount("/etc/resolv.conf", "bind", etc.resolvConf().toString(), List.of("rbind", "rprivate")));
    ContainerMounts.specMounts(c.storage()).forEach(b::mount);
    if (c.init()) {
      b.mount(new Mount(INIT_PATH, "bind", initBinary.toString(), List.of("bind", "ro", "nosuid")));
    }
    if (c.networkMode().equals("host")) {
      b.hostNamespace("network");
    } // else a namespace of runc's (none: loopback only) or Berth's, joined by path (ContainerNetworks)
    if (c.memory() > 0) {
      b.memoryLimit(c.memory());
    }
    if (c.memorySwap() != 0) {
      b.memorySwap(c.memorySwap());
    } else if (c.memory() > 0) {
      b.memorySwap(2 * c.memory()); // Docker's default: swap as large as memory
    }
    if (c.nanoCpus() > 0 || c.cpuShares() > 0 || (c.cpusetCpus() != null && !c.cpusetCpus().isEmpty())) {
      Long period = c.nanoCpus() > 0 ? 100_000L : null;
      Long quota = c.nanoCpus() > 0 ? c.nanoCpus() * 100_000L / 1_000_000_000L : null;
      b.cpu(new Resources.Cpu(c.cpuShares() > 0 ? c.cpuShares() : null, quota, period,
          c.cpusetCpus() == null || c.cpusetCpus().isEmpty() ? null : c.cpusetCpus(), null));
    }
    if (c.pidsLimit() > 0) {
      b.pidsLimit(c.pidsLimit());
    }
    for (ContainerConfig.Ulimit u : c.ulimits()) {
      String type = "RLIMIT_" + u.name().toUpperCase(Locale.ROOT);
      if (type.equals("RLIMIT_NOFILE") && u.hard() > hostNofileHard) {
        throw new BerthException.InvalidArgument("--ulimit nofile=" + u.soft() + ":" + u.hard()
            + " exceeds this host's hard limit " + hostNofileHard + " (raising it needs CAP_SYS_RESOURCE)");
      }
      b.rlimit(new Rlimit(type, u.hard(), u.soft()));
    }
    hostOptions(b, c.host());
    // the limits only update sets (CFS period/quota, cpuset mems, blkio weight)
    Spec spec = ContainerUpdater.withLimits(b.build(), c);
    return c.privileged() ? privileged(spec, availableCaps) : spec;
  }

  /**
   * The {@link HostOptions} in the spec. A namespace shared with another container is joined at
   * start ({@link SharedNamespaces}); sharing the host's means none of the container's own.
   */
  static void hostOptions(SpecBuilder b, HostOptions h) {
    if (h.pidMode().equals("host")) {
      b.hostNamespace("pid");
    }
    if (!h.utsMode().isEmpty()) {
      b.hostname(null); // runc sets no hostname in a UTS namespace it does not own
      if (h.utsMode().equals("host")) {
        b.hostNamespace("uts");
      }
    }
    switch (h.ipcMode()) {
      case "host" -> {
        b.hostNamespace("ipc");
        b.mount(new Mount("/dev/shm", "bind", "/dev/shm", List.of("rbind", "rprivate")));
      }
      case "none" -> b.dropMount("/dev/shm");
      default -> { }
    }
    if (h.cgroupnsMode().equals("private")) {
      b.joinNamespace("cgroup", null);
    }
    if (h.shmSize() > 0) {
      b.shmSize(h.shmSize());
    }
    if (h.memoryReservation() > 0) {
      b.memoryReservation(h.memoryReservation());
    }
    if (h.memorySwappiness() != null && h.memorySwappiness() >= 0) {
      b.memorySwappiness(h.memorySwappiness());
    }
    if (h.oomKillDisable()) {
      b.disableOomKiller(true);
    }
    if (h.oomScoreAdj() > 0) {
      b.oomScoreAdj(h.oomScoreAdj());
    }
    h.sysctls().forEach(b::sysctl);
    for (HostOptions.DeviceMapping d : h.devices()) {
      if (d.type() == null) {
        throw new IllegalStateException("device " + d.pathOnHost() + " was not resolved at create");
      }
      b.device(new Device(d.type(), d.pathInContainer(), d.major(), d.minor(), d.fileMode(), d.uid(), d.gid()));
      b.deviceRule(new DeviceRule(true, d.type(), d.major(), d.minor(), d.cgroupPermissions()));
    }
    h.deviceCgroupRules().forEach(r -> b.deviceRule(HostOptionsCheck.cgroupRule(r)));
    h.annotations().forEach(b::annotation);
  }

  /** Docker's --privileged: every capability, all devices allowed, nothing masked, /sys writable. */
  static Spec privileged(Spec s, List<String> availableCaps) {
    ProcessSpec p = s.process();
    ProcessSpec process = new ProcessSpec(p.terminal(), p.consoleSize(), p.user(), p.args(), p.env(), p.cwd(),
        Capabilities.same(availableCaps), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj());
    Linux l = s.linux();
    Resources r = l.resources();
    Resources resources = new Resources(List.of(new DeviceRule(true, null, null, null, "rwm")), r.memory(), r.cpu(),
        r.pids(), r.blockIO());
    Linux linux = new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), resources, l.cgroupsPath(), l.namespaces(),
        l.devices(), l.seccomp(), l.rootfsPropagation(), List.of(), List.of());
    List<Mount> mounts = s.mounts().stream().map(m -> m.destination().equals("/sys") || m.destination().equals("/sys/fs/cgroup")
        ? new Mount(m.destination(), m.type(), m.source(), m.options().stream().filter(o -> !o.equals("ro")).toList())
        : m).toList();
    return new Spec(s.ociVersion(), process, s.root(), s.hostname(), s.domainname(), mounts, linux, s.annotations());
  }

  /** Docker's defaults plus --cap-add, minus --cap-drop ("ALL" and names without CAP_ accepted). */
  static List<String> capabilities(ContainerConfig c, List<String> availableCaps) {
    Set<String> caps = new LinkedHashSet<>(SpecDefaults.CAPABILITIES);
    for (String drop : c.capDrop()) {
      String name = capName(drop);
      if (name.equals("CAP_ALL")) {
        caps.clear();
      } else {
        caps.remove(name);
      }
    }
    for (String add : c.capAdd()) {
      String name = capName(add);
      if (name.equals("CAP_ALL")) {
        caps.addAll(availableCaps);
      } else if (!ALL_CAPS.contains(name)) {
        throw new BerthException.InvalidArgument("invalid --cap-add: unknown capability: \"" + add + "\"");
      } else {
        caps.add(name);
      }
    }
    return List.copyOf(caps);
  }

  private static String capName(String cap) {
    String u = cap.toUpperCase(Locale.ROOT);
    return u.startsWith("CAP_") ? u : "CAP_" + u;
  }
}
