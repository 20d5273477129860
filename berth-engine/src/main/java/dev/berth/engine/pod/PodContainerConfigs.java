package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerStorage;
import dev.berth.engine.container.HostOptions;
import dev.berth.engine.container.LogConfig;
import dev.berth.engine.container.ResourceLimits;
import dev.berth.engine.volume.MountRequest;
import dev.berth.engine.volume.MountType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod container's Berth config: CRI's fields mapped onto Docker's (which the engine already
 * honours), joined to the infra container's namespaces. Pure, so it is unit-tested; what Docker's
 * config has no field for (cgroup parent, masked and read-only paths) {@link PodSpecHook} sets.
 */
final class PodContainerConfigs {
  private PodContainerConfigs() {}

  /** The log file: kubelet's path is relative to the sandbox's log directory. */
  static String logPath(SandboxSpec sandbox, PodContainerSpec spec) {
    if (spec.logPath().isEmpty()) {
      return "";
    }
    if (sandbox.logDirectory().isEmpty()) {
      return Path.of(spec.logPath()).isAbsolute() ? spec.logPath() : "";
    }
    return Path.of(sandbox.logDirectory()).resolve(spec.logPath()).toString();
  }

  /** Joined to the infra container's namespaces (decision 1000). */
  static ContainerConfig config(String sandboxId, SandboxSpec sandbox, PodContainerSpec spec, String logPath) {
    return config(sandboxId, sandbox, spec, logPath, false);
  }

  /**
   * {@code pinned}: the sandbox has no infra container (decision 2100); the container gets
   * namespaces of its own here, which {@link PodSpecHook} swaps for the pod's bound ones at start.
   */
  static ContainerConfig config(String sandboxId, SandboxSpec sandbox, PodContainerSpec spec, String logPath,
      boolean pinned) {
    ContainerSecurity sec = spec.security();
    NamespaceOptions ns = sec.namespaces();
    boolean hostNetwork = sandbox.linux().security().namespaces().network() == NamespaceMode.NODE
        || ns.network() == NamespaceMode.NODE;
    String infra = pinned ? "" : "container:" + sandboxId;
    String podNetwork = pinned ? "none" : infra;
    String pidMode = switch (ns.pid()) {
      case POD -> infra;
      case NODE -> "host";
      case CONTAINER -> "";
      case TARGET -> {
        if (ns.targetId().isEmpty()) {
          throw new BerthException.InvalidArgument("PID namespace mode TARGET needs a target container ID");
        }
        yield "container:" + ns.targetId();
      }
    };
    String ipcMode = ns.ipc() == NamespaceMode.NODE ? "host" : infra;
    LinuxResources r = spec.resources();
    HostOptions host = new HostOptions(groups(sec), pidMode, ipcMode, hostNetwork ? "host" : infra, null,
        spec.devices().stream().map(d -> HostOptions.DeviceMapping.of(d.hostPath(), d.containerPath(),
            d.permissions())).toList(), null, 0, null, false, 0, null,
        sandbox.dns().servers(), sandbox.dns().searches(), sandbox.dns().options(), null,
        oomScoreAdj(r.oomScoreAdj()), spec.annotations(), null,
        "host"); // pods never take berthd's --userns-remap: the CRI's own user namespaces are not supported (decision 2000)
    List<String> securityOpt = new ArrayList<>(seccomp(sec.seccomp()));
    if (sec.noNewPrivs()) {
      securityOpt.add("no-new-privileges");
    }
    long swap = r.memoryLimitBytes() > 0 ? Math.max(r.memorySwapLimitBytes(), r.memoryLimitBytes()) : 0;
    LogConfig log = logPath.isEmpty() ? LogConfig.DEFAULT
        : new LogConfig(-1, 1, Map.of(LogConfig.PATH_OPTION, logPath));
    return new ContainerConfig(spec.image(), spec.command().isEmpty() ? null : spec.command(),
        spec.args().isEmpty() ? null : spec.args(),
        spec.envs().stream().map(e -> e.key() + "=" + e.value()).toList(), spec.workingDir(), user(sec), "", "",
        PodLabels.forContainer(sandboxId, sandbox.metadata(), spec), spec.tty(), spec.stdin(), spec.stdinOnce(),
        null, null, false, false, sec.privileged(), sec.addCapabilities(), sec.dropCapabilities(),
        sec.readonlyRootfs(), securityOpt, r.memoryLimitBytes(), swap, 0, r.cpuShares(), emptyToNull(r.cpusetCpus()), 0,
        null, hostNetwork ? "host" : podNetwork, log, emptyToNull(sandbox.runtimeHandler()), null, storage(spec), null,
        new ResourceLimits(r.cpuPeriod(), r.cpuQuota(), r.cpusetMems(), 0), null, host, null);
  }

  /**
   * CRI's user: a name, or uid[:gid] (a name with a group ID too). The Strict supplemental-groups
   * policy ends it with an empty group ("1000:", or ":" for the image's user): the passwd entry's
   * primary group and none of /etc/group's memberships ({@code Users.resolve}).
   */
  static String user(ContainerSecurity sec) {
    String group = sec.runAsGroup().isPresent() ? ":" + sec.runAsGroup().getAsLong()
        : sec.strictSupplementalGroups() ? ":" : "";
    if (!sec.runAsUsername().isEmpty()) {
      return sec.runAsUsername() + group;
    }
    if (sec.runAsUser().isPresent()) {
      return sec.runAsUser().getAsLong() + group;
    }
    return group;
  }

  private static List<String> groups(ContainerSecurity sec) {
    return sec.supplementalGroups().stream().map(String::valueOf).toList();
  }

  /**
   * kubelet asks negative values for guaranteed pods; lowering the score needs CAP_SYS_RESOURCE,
   * which Berth never assumes (runc fails the start without it): those run at 0.
   */
  static int oomScoreAdj(long requested) {
    return (int) Math.max(0, Math.min(1000, requested));
  }

  /** Seccomp as Docker's security options: RuntimeDefault = Berth's default profile. */
  static List<String> seccomp(SecurityProfile p) {
    return switch (p.type()) {
      case RUNTIME_DEFAULT -> List.of();
      case UNCONFINED -> List.of("seccomp=unconfined");
      case LOCALHOST -> {
        if (p.localhostRef().isEmpty()) {
          throw new BerthException.InvalidArgument("a Localhost seccomp profile needs its path (localhost_ref)");
        }
        yield List.of("seccomp=" + p.localhostRef());
      }
    };
  }

  /** CRI's mounts as binds: propagation private, host-to-container (rslave) or bidirectional (rshared). */
  static ContainerStorage storage(PodContainerSpec spec) {
    List<MountRequest> mounts = new ArrayList<>();
    for (PodMount m : spec.mounts()) {
      if (m.recursiveReadOnly() && !m.readonly()) {
        throw new BerthException.InvalidArgument("mount " + m.containerPath()
            + ": recursive_read_only needs readonly: true");
      }
      if (m.recursiveReadOnly() && m.propagation() != PodMount.Propagation.PRIVATE) {
        throw new BerthException.InvalidArgument("mount " + m.containerPath()
            + ": recursive_read_only needs propagation PROPAGATION_PRIVATE (submounts that come later would not be read-only)");
      }
      String propagation = switch (m.propagation()) {
        case PRIVATE -> "rprivate";
        case HOST_TO_CONTAINER -> "rslave";
        case BIDIRECTIONAL -> "rshared";
      };
      mounts.add(new MountRequest(MountType.BIND, m.hostPath(), m.containerPath(), m.readonly(), propagation, false,
          null, null, null, 0, 0, null, m.recursiveReadOnly()));
    }
    return new ContainerStorage(List.of(), mounts, Map.of(), List.of());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
