package dev.berth.daemon.cri;

import dev.berth.cri.api.v1.DNSConfig;
import dev.berth.cri.api.v1.LinuxPodSandboxConfig;
import dev.berth.cri.api.v1.LinuxPodSandboxStatus;
import dev.berth.cri.api.v1.LinuxSandboxSecurityContext;
import dev.berth.cri.api.v1.Namespace;
import dev.berth.cri.api.v1.NamespaceOption;
import dev.berth.cri.api.v1.PodIP;
import dev.berth.cri.api.v1.PodSandboxConfig;
import dev.berth.cri.api.v1.PodSandboxMetadata;
import dev.berth.cri.api.v1.PodSandboxNetworkStatus;
import dev.berth.cri.api.v1.PodSandboxState;
import dev.berth.cri.api.v1.PortMapping;
import dev.berth.engine.BerthException;
import dev.berth.engine.pod.DnsConfig;
import dev.berth.engine.pod.NamespaceMode;
import dev.berth.engine.pod.NamespaceOptions;
import dev.berth.engine.pod.PodMetadata;
import dev.berth.engine.pod.PodPortMapping;
import dev.berth.engine.pod.PodSandbox;
import dev.berth.engine.pod.SandboxFilter;
import dev.berth.engine.pod.SandboxLinux;
import dev.berth.engine.pod.SandboxSecurity;
import dev.berth.engine.pod.SandboxSpec;
import dev.berth.engine.pod.SandboxState;
import dev.berth.engine.pod.SandboxStatus;
import dev.berth.engine.pod.SecurityProfile;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** Sandbox messages of CRI v1 ↔ the engine's pod records; pure conversions, no decisions. */
final class SandboxMessages {
  private SandboxMessages() {}

  static SandboxSpec spec(PodSandboxConfig config, String runtimeHandler) {
    if (!config.hasMetadata() || config.getMetadata().getName().isEmpty()) {
      throw new BerthException.InvalidArgument("a pod sandbox needs metadata with a name (PodSandboxConfig.metadata)");
    }
    LinuxPodSandboxConfig linux = config.getLinux();
    LinuxSandboxSecurityContext sc = linux.getSecurityContext();
    SandboxSecurity security = new SandboxSecurity(
        namespaces(sc.getNamespaceOptions()),
        sc.hasRunAsUser() ? OptionalLong.of(sc.getRunAsUser().getValue()) : OptionalLong.empty(),
        sc.hasRunAsGroup() ? OptionalLong.of(sc.getRunAsGroup().getValue()) : OptionalLong.empty(),
        sc.getReadonlyRootfs(), sc.getSupplementalGroupsList(), sc.getPrivileged(),
        seccomp(sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath()),
        apparmor(sc.hasApparmor() ? sc.getApparmor() : null, ""));
    return new SandboxSpec(metadata(config.getMetadata()), config.getHostname(), config.getLogDirectory(),
        dns(config.getDnsConfig()),
        config.getPortMappingsList().stream().map(SandboxMessages::port).toList(),
        config.getLabelsMap(), config.getAnnotationsMap(),
        new SandboxLinux(linux.getCgroupParent(), linux.getSysctlsMap(), security), runtimeHandler);
  }

  static PodMetadata metadata(PodSandboxMetadata m) {
    return new PodMetadata(m.getName(), m.getUid(), m.getNamespace(), m.getAttempt());
  }

  static PodSandboxMetadata metadata(PodMetadata m) {
    return PodSandboxMetadata.newBuilder().setName(m.name()).setUid(m.uid()).setNamespace(m.namespace())
        .setAttempt(m.attempt()).build();
  }

  private static DnsConfig dns(DNSConfig dns) {
    return new DnsConfig(dns.getServersList(), dns.getSearchesList(), dns.getOptionsList());
  }

  private static PodPortMapping port(PortMapping p) {
    PodPortMapping.Protocol protocol = switch (p.getProtocol()) {
      case UDP -> PodPortMapping.Protocol.UDP;
      case SCTP -> PodPortMapping.Protocol.SCTP;
      default -> PodPortMapping.Protocol.TCP;
    };
    return new PodPortMapping(protocol, p.getContainerPort(), p.getHostPort(), p.getHostIp());
  }

  static NamespaceOptions namespaces(NamespaceOption o) {
    return new NamespaceOptions(mode(o.getNetwork()), mode(o.getPid()), mode(o.getIpc()), o.getTargetId());
  }

  static NamespaceOption namespaces(NamespaceOptions o) {
    return NamespaceOption.newBuilder().setNetwork(mode(o.network())).setPid(mode(o.pid())).setIpc(mode(o.ipc()))
        .setTargetId(o.targetId()).build();
  }

  private static NamespaceMode mode(dev.berth.cri.api.v1.NamespaceMode m) {
    return switch (m) {
      case CONTAINER -> NamespaceMode.CONTAINER;
      case NODE -> NamespaceMode.NODE;
      case TARGET -> NamespaceMode.TARGET;
      default -> NamespaceMode.POD;
    };
  }

  private static dev.berth.cri.api.v1.NamespaceMode mode(NamespaceMode m) {
    return switch (m) {
      case POD -> dev.berth.cri.api.v1.NamespaceMode.POD;
      case CONTAINER -> dev.berth.cri.api.v1.NamespaceMode.CONTAINER;
      case NODE -> dev.berth.cri.api.v1.NamespaceMode.NODE;
      case TARGET -> dev.berth.cri.api.v1.NamespaceMode.TARGET;
    };
  }

  /**
   * The profile message, else the deprecated path form ("runtime/default", "docker/default",
   * "localhost/FILE", "unconfined"); neither set means unconfined, as in CRI (kubelet always sets
   * one; containerd and CRI-O read an absent one so).
   */
  static SecurityProfile seccomp(dev.berth.cri.api.v1.SecurityProfile p, String deprecatedPath) {
    if (p == null) {
      if (deprecatedPath.equals("runtime/default") || deprecatedPath.equals("docker/default")) {
        return SecurityProfile.RUNTIME_DEFAULT;
      }
      if (deprecatedPath.startsWith("localhost/")) {
        return new SecurityProfile(SecurityProfile.Type.LOCALHOST, deprecatedPath.substring("localhost/".length()));
      }
      return SecurityProfile.UNCONFINED;
    }
    return switch (p.getProfileType()) {
      case Unconfined -> SecurityProfile.UNCONFINED;
      case Localhost -> new SecurityProfile(SecurityProfile.Type.LOCALHOST, p.getLocalhostRef());
      default -> SecurityProfile.RUNTIME_DEFAULT;
    };
  }

  /**
   * The AppArmor profile message, else the deprecated name; neither set means the runtime's
   * default, as kubelet and containerd read it (unlike seccomp).
   */
  static SecurityProfile apparmor(dev.berth.cri.api.v1.SecurityProfile p, String deprecatedName) {
    if (p == null) {
      if (deprecatedName.equals("unconfined")) {
        return SecurityProfile.UNCONFINED;
      }
      if (deprecatedName.startsWith("localhost/")) {
        return new SecurityProfile(SecurityProfile.Type.LOCALHOST, deprecatedName.substring("localhost/".length()));
      }
      return SecurityProfile.RUNTIME_DEFAULT;
    }
    return switch (p.getProfileType()) {
      case Unconfined -> SecurityProfile.UNCONFINED;
      case Localhost -> new SecurityProfile(SecurityProfile.Type.LOCALHOST, p.getLocalhostRef());
      default -> SecurityProfile.RUNTIME_DEFAULT;
    };
  }

  static SandboxFilter filter(dev.berth.cri.api.v1.PodSandboxFilter f) {
    return new SandboxFilter(Optional.of(f.getId()),
        f.hasState() ? Optional.of(state(f.getState().getState())) : Optional.empty(), f.getLabelSelectorMap());
  }

  private static SandboxState state(PodSandboxState s) {
    return s == PodSandboxState.SANDBOX_READY ? SandboxState.READY : SandboxState.NOTREADY;
  }

  static PodSandboxState state(SandboxState s) {
    return s == SandboxState.READY ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
  }

  static dev.berth.cri.api.v1.PodSandbox sandbox(PodSandbox s) {
    return dev.berth.cri.api.v1.PodSandbox.newBuilder().setId(s.id()).setMetadata(metadata(s.metadata()))
        .setState(state(s.state())).setCreatedAt(nanos(s.createdAt())).putAllLabels(s.labels())
        .putAllAnnotations(s.annotations()).setRuntimeHandler(s.runtimeHandler()).build();
  }

  static dev.berth.cri.api.v1.PodSandboxStatus status(SandboxStatus s) {
    return dev.berth.cri.api.v1.PodSandboxStatus.newBuilder().setId(s.id()).setMetadata(metadata(s.metadata()))
        .setState(state(s.state())).setCreatedAt(nanos(s.createdAt()))
        .setNetwork(PodSandboxNetworkStatus.newBuilder().setIp(s.ip())
            .addAllAdditionalIps(s.additionalIps().stream().map(ip -> PodIP.newBuilder().setIp(ip).build()).toList()))
        .setLinux(LinuxPodSandboxStatus.newBuilder()
            .setNamespaces(Namespace.newBuilder().setOptions(namespaces(s.namespaces()))))
        .putAllLabels(s.labels()).putAllAnnotations(s.annotations()).setRuntimeHandler(s.runtimeHandler())
        .build();
  }

  /** CRI times are nanoseconds since the epoch. */
  static long nanos(Instant t) {
    return t == null ? 0 : t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
