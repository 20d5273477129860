package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.DeviceRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a create's {@link HostOptions} with dockerd's rules and words (runc's, where dockerd
 * leaves the check to runc at start: Berth says it at create) and resolves --device nodes.
 */
public final class HostOptionsCheck {
  private static final long MIN_MEMORY = 6L * 1024 * 1024;
  private static final Pattern CGROUP_RULE = Pattern.compile("^([acb]) ([0-9]+|\\*):([0-9]+|\\*) ([rwm]{1,3})$");
  /** The kernel.* sysctls of the IPC namespace (runc's list). */
  private static final Set<String> IPC_KERNEL = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
      "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;

  private HostOptionsCheck() {}

  /**
   * The config with its devices resolved; 400 naming the field that is wrong, 404 when a
   * {@code container:NAME} mode names no container.
   *
   * @param find looks a container up by name or ID (404 when none)
   */
  static ContainerConfig check(ContainerConfig c, Function<String, Container> find) {
    HostOptions h = c.host();
    mode("--pid", h.pidMode(), Set.of("", "host"), find);
    mode("--ipc", h.ipcMode(), Set.of("", "private", "shareable", "none", "host"), find);
    mode("--uts", h.utsMode(), Set.of("", "host"), find);
    if (!Set.of("", "host", "private").contains(h.usernsMode())) {
      throw new BerthException.InvalidArgument("invalid --userns: " + h.usernsMode()
          + " (use host for no user namespace, or leave it empty for the daemon's --userns-remap)");
    }
    if (!h.utsMode().isEmpty() && !c.hostname().isEmpty()) {
      throw new BerthException.InvalidArgument("conflicting options: hostname and the UTS mode");
    }
    if (!Set.of("", "host", "private").contains(h.cgroupnsMode())) {
      throw new BerthException.InvalidArgument("invalid cgroup namespace mode: " + h.cgroupnsMode()
          + " (use private or host)");
    }
    if (h.memoryReservation() < 0 || (h.memoryReservation() > 0 && h.memoryReservation() < MIN_MEMORY)) {
      throw new BerthException.InvalidArgument("invalid --memory-reservation: Minimum memory reservation allowed is 6MB");
    }
    if (c.memory() > 0 && h.memoryReservation() > c.memory()) {
      throw new BerthException.InvalidArgument(
          "Minimum memory limit can not be less than memory reservation limit, see usage");
    }
    Long swappiness = h.memorySwappiness();
    if (swappiness != null && swappiness != -1 && (swappiness < 0 || swappiness > 100)) {
      throw new BerthException.InvalidArgument("Invalid value: " + swappiness
          + ", valid memory swappiness range is 0-100");
    }
    if (h.shmSize() < 0) {
      throw new BerthException.InvalidArgument("SHM size can not be less than 0");
    }
    if (h.oomScoreAdj() < -1000 || h.oomScoreAdj() > 1000) {
      throw new BerthException.InvalidArgument("Invalid value " + h.oomScoreAdj()
          + ", range for oom score adj is [-1000, 1000]");
    }
    if (h.oomScoreAdj() < 0) {
      throw new BerthException.InvalidArgument("OomScoreAdj " + h.oomScoreAdj() + " is not supported by Berth: "
          + "lowering a container's OOM score needs CAP_SYS_RESOURCE, which berthd does not assume; use 0..1000");
    }
    sysctls(h.sysctls(), c.networkMode(), h.ipcMode());
    h.deviceCgroupRules().forEach(HostOptionsCheck::cgroupRule);
    for (String host : h.extraHosts()) {
      EtcFileContents.extraHost(host); // throws on a bad entry
    }
    List<HostOptions.DeviceMapping> devices = new ArrayList<>();
    for (HostOptions.DeviceMapping d : h.devices()) {
      devices.add(resolve(d));
    }
    return c.withHost(h.withDevices(devices).withLinks(links(h.links(), c.networkMode(), find)));
  }

  /** Each linked container by ID and name; links live on the default bridge only (as their env and hosts lines). */
  private static List<HostOptions.Link> links(List<HostOptions.Link> links, String networkMode,
      Function<String, Container> find) {
    if (links.isEmpty()) {
      return links;
    }
    if (networkMode.equals("host")) {
      throw new BerthException.InvalidArgument("conflicting options: host type networking can't be used with links. "
          + "This would result in undefined behavior");
    }
    if (!networkMode.equals("bridge")) {
      throw new BerthException.InvalidArgument("HostConfig.Links is not supported by Berth on network " + networkMode
          + ": legacy links work on the default bridge; on a user-defined network containers find each other by name");
    }
    List<HostOptions.Link> out = new ArrayList<>();
    for (HostOptions.Link l : links) {
      Container child;
      try {
        child = find.apply(l.container());
      } catch (BerthException.NotFound e) {
        throw new BerthException.InvalidArgument("could not get container for " + l.container() + ": " + e.getMessage());
      }
      if (!child.config().networkMode().equals("bridge")) {
        throw new BerthException.InvalidArgument("Cannot link to /" + child.name() + ", as it does not belong to the "
            + "default network");
      }
      out.add(new HostOptions.Link(child.id(), child.name(), l.alias()));
    }
    return out;
  }

  private static void mode(String flag, String mode, Set<String> plain, Function<String, Container> find) {
    if (plain.contains(mode)) {
      return;
    }
    String other = HostOptions.containerOf(mode).orElseThrow(
        () -> new BerthException.InvalidArgument("invalid " + flag + ": " + mode));
    if (other.isEmpty()) {
      throw new BerthException.InvalidArgument("invalid " + flag + ": " + mode);
    }
    find.apply(other); // 404 "No such container" now rather than at start
  }

  /** runc's rules: only sysctls of a namespace the container has of its own. */
  public static void sysctls(Map<String, String> sysctls, String networkMode, String ipcMode) {
    for (String key : sysctls.keySet()) {
      if (key.startsWith("net.")) {
        if (networkMode.equals("host")) {
          throw new BerthException.InvalidArgument("sysctl \"" + key + "\" not allowed in host network namespace");
        }
      } else if (IPC_KERNEL.contains(key) || key.startsWith("fs.mqueue.")) {
        if (ipcMode.equals("host")) {
          throw new BerthException.InvalidArgument("sysctl \"" + key + "\" is not allowed in the hosts ipc namespace");
        }
      } else {
        throw new BerthException.InvalidArgument("sysctl \"" + key + "\" is not in a separate kernel namespace");
      }
    }
  }

  /** "c 1:3 rwm" as a devices-cgroup rule. */
  static DeviceRule cgroupRule(String rule) {
    Matcher m = CGROUP_RULE.matcher(rule.strip());
    if (!m.matches()) {
      throw new BerthException.InvalidArgument("invalid device cgroup format '" + rule + "'");
    }
    return new DeviceRule(true, m.group(1), m.group(2).equals("*") ? null : Long.parseLong(m.group(2)),
        m.group(3).equals("*") ? null : Long.parseLong(m.group(3)), m.group(4));
  }

  /** The host's node behind a --device: its type, numbers, mode and owner. */
  static HostOptions.DeviceMapping resolve(HostOptions.DeviceMapping d) {
    if (d.pathOnHost() == null || d.pathOnHost().isEmpty() || !d.pathInContainer().startsWith("/")) {
      throw new BerthException.InvalidArgument("invalid device mapping: " + d.pathOnHost() + ":" + d.pathInContainer()
          + " (use /dev/HOST[:/dev/CONTAINER[:rwm]])");
    }
    if (!d.cgroupPermissions().matches("[rwm]{1,3}")) {
      throw new BerthException.InvalidArgument("invalid device mode: " + d.cgroupPermissions() + " (use r, w and m)");
    }
    String error = "error gathering device information while adding custom device \"" + d.pathOnHost() + "\": ";
    try {
      Map<String, Object> a = Files.readAttributes(Path.of(d.pathOnHost()), "unix:mode,rdev,uid,gid");
      int mode = (Integer) a.get("mode");
      int fmt = mode & S_IFMT;
      if (fmt != S_IFCHR && fmt != S_IFBLK) {
        throw new BerthException.InvalidArgument(error + "not a device node");
      }
      long rdev = (Long) a.get("rdev");
      // glibc's major()/minor() of a dev_t
      long major = ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL);
      long minor = ((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL);
      return new HostOptions.DeviceMapping(d.pathOnHost(), d.pathInContainer(), d.cgroupPermissions(),
          fmt == S_IFCHR ? "c" : "b", major, minor, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"));
    } catch (NoSuchFileException e) {
      throw new BerthException.InvalidArgument(error + "no such file or directory");
    } catch (IOException e) {
      throw new BerthException.InvalidArgument(error + e.getMessage());
    }
  }
}
