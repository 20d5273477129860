package dev.berth.daemon.cri;

import static dev.berth.daemon.cri.SandboxMessages.nanos;

import dev.berth.cri.api.v1.Capability;
import dev.berth.cri.api.v1.ContainerConfig;
import dev.berth.cri.api.v1.ContainerResources;
import dev.berth.cri.api.v1.ContainerState;
import dev.berth.cri.api.v1.ContainerUser;
import dev.berth.cri.api.v1.ImageSpec;
import dev.berth.cri.api.v1.LinuxContainerResources;
import dev.berth.cri.api.v1.LinuxContainerSecurityContext;
import dev.berth.cri.api.v1.LinuxContainerUser;
import dev.berth.cri.api.v1.Mount;
import dev.berth.cri.api.v1.MountPropagation;
import dev.berth.engine.BerthException;
import dev.berth.engine.pod.ContainerFilter;
import dev.berth.engine.pod.ContainerMetadata;
import dev.berth.engine.pod.ContainerSecurity;
import dev.berth.engine.pod.EnvVar;
import dev.berth.engine.pod.HugepageLimit;
import dev.berth.engine.pod.LinuxResources;
import dev.berth.engine.pod.PodContainer;
import dev.berth.engine.pod.PodContainerSpec;
import dev.berth.engine.pod.PodContainerState;
import dev.berth.engine.pod.PodContainerStatus;
import dev.berth.engine.pod.PodDevice;
import dev.berth.engine.pod.PodMount;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Container messages of CRI v1 ↔ the engine's pod records; pure conversions, no decisions. */
final class ContainerMessages {
  private ContainerMessages() {}

  static PodContainerSpec spec(ContainerConfig c) {
    if (!c.hasMetadata() || c.getMetadata().getName().isEmpty()) {
      throw new BerthException.InvalidArgument("a container needs metadata with a name (ContainerConfig.metadata)");
    }
    if (c.getImage().getImage().isEmpty()) {
      throw new BerthException.InvalidArgument("a container needs an image (ContainerConfig.image)");
    }
    LinuxContainerSecurityContext sc = c.getLinux().getSecurityContext();
    if (sc.hasRunAsGroup() && !sc.hasRunAsUser() && sc.getRunAsUsername().isEmpty()) {
      throw new BerthException.InvalidArgument("user group \"" + sc.getRunAsGroup().getValue()
          + "\" is specified without user (set run_as_user or run_as_username too)");
    }
    Capability caps = sc.getCapabilities();
    ContainerSecurity security = new ContainerSecurity(caps.getAddCapabilitiesList(), caps.getDropCapabilitiesList(),
        sc.getPrivileged(), SandboxMessages.namespaces(sc.getNamespaceOptions()),
        sc.hasRunAsUser() ? OptionalLong.of(sc.getRunAsUser().getValue()) : OptionalLong.empty(),
        sc.hasRunAsGroup() ? OptionalLong.of(sc.getRunAsGroup().getValue()) : OptionalLong.empty(),
        sc.getRunAsUsername(), sc.getReadonlyRootfs(), sc.getSupplementalGroupsList(), sc.getNoNewPrivs(),
        sc.getMaskedPathsList(), sc.getReadonlyPathsList(),
        SandboxMessages.seccomp(sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath()),
        SandboxMessages.apparmor(sc.hasApparmor() ? sc.getApparmor() : null, sc.getApparmorProfile()),
        strictSupplementalGroups(sc.getSupplementalGroupsPolicy()));
    return new PodContainerSpec(metadata(c.getMetadata()), c.getImage().getImage(), c.getCommandList(),
        c.getArgsList(), c.getWorkingDir(),
        c.getEnvsList().stream().map(e -> new EnvVar(e.getKey(), e.getValue())).toList(),
        c.getMountsList().stream().map(ContainerMessages::mount).toList(),
        c.getDevicesList().stream().map(d -> new PodDevice(d.getContainerPath(), d.getHostPath(), d.getPermissions()))
            .toList(),
        c.getLabelsMap(), c.getAnnotationsMap(), c.getLogPath(), c.getStdin(), c.getStdinOnce(), c.getTty(),
        resources(c.getLinux().getResources()), security);
  }

  static ContainerMetadata metadata(dev.berth.cri.api.v1.ContainerMetadata m) {
    return new ContainerMetadata(m.getName(), m.getAttempt());
  }

  static dev.berth.cri.api.v1.ContainerMetadata metadata(ContainerMetadata m) {
    return dev.berth.cri.api.v1.ContainerMetadata.newBuilder().setName(m.name()).setAttempt(m.attempt()).build();
  }

  private static PodMount mount(Mount m) {
    if (m.hasImage() && !m.getImage().getImage().isEmpty()) {
      throw new BerthException.InvalidArgument("image volumes (Mount.image) are not supported by Berth");
    }
    PodMount.Propagation propagation = switch (m.getPropagation()) {
      case PROPAGATION_HOST_TO_CONTAINER -> PodMount.Propagation.HOST_TO_CONTAINER;
      case PROPAGATION_BIDIRECTIONAL -> PodMount.Propagation.BIDIRECTIONAL;
      default -> PodMount.Propagation.PRIVATE;
    };
    return new PodMount(m.getContainerPath(), m.getHostPath(), m.getReadonly(), m.getSelinuxRelabel(), propagation,
        m.getRecursiveReadOnly());
  }

  private static Mount mount(PodMount m) {
    MountPropagation propagation = switch (m.propagation()) {
      case PRIVATE -> MountPropagation.PROPAGATION_PRIVATE;
      case HOST_TO_CONTAINER -> MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
      case BIDIRECTIONAL -> MountPropagation.PROPAGATION_BIDIRECTIONAL;
    };
    return Mount.newBuilder().setContainerPath(m.containerPath()).setHostPath(m.hostPath()).setReadonly(m.readonly())
        .setSelinuxRelabel(m.selinuxRelabel()).setPropagation(propagation)
        .setRecursiveReadOnly(m.recursiveReadOnly()).build();
  }

  static LinuxResources resources(LinuxContainerResources r) {
    return new LinuxResources(r.getCpuPeriod(), r.getCpuQuota(), r.getCpuShares(), r.getMemoryLimitInBytes(),
        r.getOomScoreAdj(), r.getCpusetCpus(), r.getCpusetMems(),
        r.getHugepageLimitsList().stream().map(h -> new HugepageLimit(h.getPageSize(), h.getLimit())).toList(),
        r.getUnifiedMap(), r.getMemorySwapLimitInBytes());
  }

  static LinuxContainerResources resources(LinuxResources r) {
    return LinuxContainerResources.newBuilder().setCpuPeriod(r.cpuPeriod()).setCpuQuota(r.cpuQuota())
        .setCpuShares(r.cpuShares()).setMemoryLimitInBytes(r.memoryLimitBytes()).setOomScoreAdj(r.oomScoreAdj())
        .setCpusetCpus(r.cpusetCpus()).setCpusetMems(r.cpusetMems())
        .addAllHugepageLimits(r.hugepageLimits().stream().map(h -> dev.berth.cri.api.v1.HugepageLimit.newBuilder()
            .setPageSize(h.pageSize()).setLimit(h.limit()).build()).toList())
        .putAllUnified(r.unified()).setMemorySwapLimitInBytes(r.memorySwapLimitBytes()).build();
  }

  static ContainerFilter filter(dev.berth.cri.api.v1.ContainerFilter f) {
    return new ContainerFilter(Optional.of(f.getId()),
        f.hasState() ? Optional.of(state(f.getState().getState())) : Optional.empty(),
        Optional.of(f.getPodSandboxId()), f.getLabelSelectorMap());
  }

  static ContainerFilter filter(String id, String sandboxId, Map<String, String> labels) {
    return new ContainerFilter(Optional.of(id), Optional.empty(), Optional.of(sandboxId), labels);
  }

  private static PodContainerState state(ContainerState s) {
    return switch (s) {
      case CONTAINER_CREATED -> PodContainerState.CREATED;
      case CONTAINER_RUNNING -> PodContainerState.RUNNING;
      case CONTAINER_EXITED -> PodContainerState.EXITED;
      default -> PodContainerState.UNKNOWN;
    };
  }

  static ContainerState state(PodContainerState s) {
    return switch (s) {
      case CREATED -> ContainerState.CONTAINER_CREATED;
      case RUNNING -> ContainerState.CONTAINER_RUNNING;
      case EXITED -> ContainerState.CONTAINER_EXITED;
      case UNKNOWN -> ContainerState.CONTAINER_UNKNOWN;
    };
  }

  static dev.berth.cri.api.v1.Container container(PodContainer c) {
    return dev.berth.cri.api.v1.Container.newBuilder().setId(c.id()).setPodSandboxId(c.sandboxId())
        .setMetadata(metadata(c.metadata())).setImage(ImageSpec.newBuilder().setImage(c.image()))
        .setImageRef(c.imageRef()).setImageId(c.imageRef()).setState(state(c.state()))
        .setCreatedAt(nanos(c.createdAt())).putAllLabels(c.labels()).putAllAnnotations(c.annotations()).build();
  }

  static dev.berth.cri.api.v1.ContainerStatus status(PodContainerStatus s) {
    dev.berth.cri.api.v1.ContainerStatus.Builder b = dev.berth.cri.api.v1.ContainerStatus.newBuilder()
        .setId(s.id()).setMetadata(metadata(s.metadata())).setState(state(s.state()))
        .setCreatedAt(nanos(s.createdAt()))
        .setStartedAt(s.startedAt().map(SandboxMessages::nanos).orElse(0L))
        .setFinishedAt(s.finishedAt().map(SandboxMessages::nanos).orElse(0L))
        .setExitCode(s.exitCode()).setImage(ImageSpec.newBuilder().setImage(s.image()))
        .setImageRef(s.imageRef()).setImageId(s.imageRef()).setReason(s.reason()).setMessage(s.message())
        .putAllLabels(s.labels()).putAllAnnotations(s.annotations())
        .addAllMounts(s.mounts().stream().map(ContainerMessages::mount).toList())
        .setLogPath(s.logPath())
        .setResources(ContainerResources.newBuilder().setLinux(resources(s.resources())));
    if (s.user() != null) {
      b.setUser(ContainerUser.newBuilder().setLinux(LinuxContainerUser.newBuilder().setUid(s.user().uid())
          .setGid(s.user().gid()).addAllSupplementalGroups(s.user().supplementalGroups())));
    }
    return b.build();
  }

  private static boolean strictSupplementalGroups(dev.berth.cri.api.v1.SupplementalGroupsPolicy policy) {
    return switch (policy) {
      case Merge -> false;
      case Strict -> true;
      case UNRECOGNIZED -> throw new BerthException.InvalidArgument(
          "unknown supplemental_groups_policy: use Merge (0) or Strict (1)");
    };
  }
}
