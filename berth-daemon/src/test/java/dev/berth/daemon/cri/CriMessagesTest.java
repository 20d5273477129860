package dev.berth.daemon.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.cri.api.v1.ContainerConfig;
import dev.berth.cri.api.v1.ContainerMetadata;
import dev.berth.cri.api.v1.ImageSpec;
import dev.berth.cri.api.v1.Int64Value;
import dev.berth.cri.api.v1.LinuxContainerConfig;
import dev.berth.cri.api.v1.LinuxContainerSecurityContext;
import dev.berth.cri.api.v1.LinuxPodSandboxConfig;
import dev.berth.cri.api.v1.LinuxSandboxSecurityContext;
import dev.berth.cri.api.v1.NamespaceMode;
import dev.berth.cri.api.v1.NamespaceOption;
import dev.berth.cri.api.v1.PodSandboxConfig;
import dev.berth.cri.api.v1.PodSandboxFilter;
import dev.berth.cri.api.v1.PodSandboxMetadata;
import dev.berth.cri.api.v1.PortMapping;
import dev.berth.cri.api.v1.Protocol;
import dev.berth.cri.api.v1.SecurityProfile;
import dev.berth.engine.BerthException;
import dev.berth.engine.pod.PodPortMapping;
import dev.berth.engine.pod.SandboxSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CriMessagesTest {
  private static ContainerConfig.Builder container() {
    return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
        .setImage(ImageSpec.newBuilder().setImage("busybox"));
  }

  @Test
  void anAbsentSeccompProfileIsUnconfinedAndTheDeprecatedPathsAreRead() {
    assertThat(ContainerMessages.spec(container().build()).security().seccomp())
        .isEqualTo(dev.berth.engine.pod.SecurityProfile.UNCONFINED);
    ContainerConfig runtimeDefault = container().setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
        LinuxContainerSecurityContext.newBuilder().setSeccomp(SecurityProfile.newBuilder()
            .setProfileType(SecurityProfile.ProfileType.RuntimeDefault)))).build();
    assertThat(ContainerMessages.spec(runtimeDefault).security().seccomp())
        .isEqualTo(dev.berth.engine.pod.SecurityProfile.RUNTIME_DEFAULT);
    assertThat(SandboxMessages.seccomp(null, "runtime/default"))
        .isEqualTo(dev.berth.engine.pod.SecurityProfile.RUNTIME_DEFAULT);
    assertThat(SandboxMessages.seccomp(null, "localhost/profiles/a.json").localhostRef()).isEqualTo("profiles/a.json");
    // AppArmor differs: absent is the runtime's default
    assertThat(ContainerMessages.spec(container().build()).security().apparmor())
        .isEqualTo(dev.berth.engine.pod.SecurityProfile.RUNTIME_DEFAULT);
  }

  @Test
  void aGroupWithoutAUserIsRefusedAsContainerdRefusesIt() {
    ContainerConfig groupOnly = container().setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
        LinuxContainerSecurityContext.newBuilder().setRunAsGroup(Int64Value.newBuilder().setValue(10)))).build();
    assertThatThrownBy(() -> ContainerMessages.spec(groupOnly))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("without user");
    ContainerConfig both = container().setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
        LinuxContainerSecurityContext.newBuilder().setRunAsGroup(Int64Value.newBuilder().setValue(10))
            .setRunAsUser(Int64Value.newBuilder().setValue(1000)))).build();
    assertThat(ContainerMessages.spec(both).security().runAsUser()).hasValue(1000);
  }

  @Test
  void aContainerOrSandboxWithoutANameIsInvalid() {
    assertThatThrownBy(() -> ContainerMessages.spec(ContainerConfig.getDefaultInstance()))
        .isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> SandboxMessages.spec(PodSandboxConfig.getDefaultInstance(), ""))
        .isInstanceOf(BerthException.InvalidArgument.class);
  }

  @Test
  void aSandboxConfigBecomesItsSpec() {
    PodSandboxConfig config = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("ns").setUid("u").setAttempt(2))
        .setHostname("web-0").putLabels("app", "web")
        .addPortMappings(PortMapping.newBuilder().setProtocol(Protocol.UDP).setContainerPort(53).setHostPort(5353))
        .setLinux(LinuxPodSandboxConfig.newBuilder().putSysctls("net.ipv4.ip_forward", "1")
            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER))))
        .build();
    SandboxSpec spec = SandboxMessages.spec(config, "runc");
    assertThat(spec.metadata().attempt()).isEqualTo(2);
    assertThat(spec.portMappings()).containsExactly(new PodPortMapping(PodPortMapping.Protocol.UDP, 53, 5353, ""));
    assertThat(spec.linux().security().namespaces().network()).isEqualTo(dev.berth.engine.pod.NamespaceMode.NODE);
    assertThat(spec.linux().security().namespaces().pid()).isEqualTo(dev.berth.engine.pod.NamespaceMode.CONTAINER);
    assertThat(spec.linux().sysctls()).containsEntry("net.ipv4.ip_forward", "1");
    assertThat(spec.runtimeHandler()).isEqualTo("runc");
  }

  @Test
  void anEmptyFilterFieldFiltersNothingAndTimesAreNanoseconds() {
    assertThat(SandboxMessages.filter(PodSandboxFilter.getDefaultInstance()).id()).isEmpty();
    assertThat(SandboxMessages.filter(PodSandboxFilter.getDefaultInstance()).state()).isEmpty();
    assertThat(SandboxMessages.nanos(Instant.ofEpochSecond(2, 5))).isEqualTo(2_000_000_005L);
  }
}
