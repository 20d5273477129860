package dev.berth.engine.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.LogConfig;
import dev.berth.engine.volume.MountRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PodMappingsTest {
  private static final String SANDBOX = "a".repeat(64);

  private static SandboxSpec sandbox(NamespaceOptions ns, String cgroupParent) {
    return new SandboxSpec(new PodMetadata("web", "uid-1", "prod", 2), "web-0", "/var/log/pods/prod_web_uid-1",
        new DnsConfig(List.of("10.96.0.10"), List.of("prod.svc.cluster.local"), List.of("ndots:5")),
        List.of(new PodPortMapping(PodPortMapping.Protocol.TCP, 80, 8080, "")), Map.of("app", "web"),
        Map.of("a", "b"), new SandboxLinux(cgroupParent, Map.of("net.ipv4.ip_forward", "1"),
            new SandboxSecurity(ns, OptionalLong.empty(), OptionalLong.empty(), false, List.of(), false, null, null)),
        "");
  }

  private static PodContainerSpec container(ContainerSecurity sec, LinuxResources r, List<PodMount> mounts) {
    return new PodContainerSpec(new ContainerMetadata("app", 1), "busybox", List.of("sh"), List.of("-c", "true"),
        "/w", List.of(new EnvVar("A", "1")), mounts, List.of(new PodDevice("/dev/xnull", "/dev/null", "")),
        Map.of("tier", "x"), Map.of("k", "v"), "app/1.log", true, true, false, r, sec);
  }

  @Test
  void theInfraContainerHoldsThePodsNamespacesAndNeverLowersItsOomScore() {
    ContainerConfig c = SandboxConfigs.infra(sandbox(NamespaceOptions.DEFAULT, ""), PauseImage.NAME);
    assertThat(c.entrypoint()).containsExactly("/catatonit", "-P");
    assertThat(c.networkMode()).isEqualTo("none"); // CNI wires the namespace after the start
    assertThat(c.hostname()).isEqualTo("web-0");
    assertThat(c.host().ipcMode()).isEqualTo("shareable");
    assertThat(c.host().pidMode()).isEmpty();
    assertThat(c.host().sysctls()).containsEntry("net.ipv4.ip_forward", "1");
    assertThat(c.host().dns()).containsExactly("10.96.0.10");
    assertThat(c.host().dnsSearch()).containsExactly("prod.svc.cluster.local");
    assertThat(c.host().dnsOptions()).containsExactly("ndots:5");
    assertThat(c.host().oomScoreAdj()).isZero();
    assertThat(c.labels()).containsEntry("app", "web").containsEntry("io.kubernetes.pod.name", "web")
        .containsEntry("io.kubernetes.pod.namespace", "prod").containsEntry("io.kubernetes.pod.uid", "uid-1")
        .containsEntry("io.kubernetes.container.name", "POD").containsEntry(PodLabels.INFRA, "true");
  }

  @Test
  void hostNamespacesOfTheSandbox() {
    ContainerConfig c = SandboxConfigs.infra(sandbox(new NamespaceOptions(NamespaceMode.NODE, NamespaceMode.NODE,
        NamespaceMode.NODE, ""), ""), PauseImage.NAME);
    assertThat(c.networkMode()).isEqualTo("host");
    assertThat(c.hostname()).isEmpty();
    assertThat(c.host().utsMode()).isEqualTo("host");
    assertThat(c.host().pidMode()).isEqualTo("host");
    assertThat(c.host().ipcMode()).isEqualTo("host");
  }

  @Test
  void aContainerJoinsTheInfraContainersNamespacesAndCarriesCrisFields() {
    ContainerSecurity sec = new ContainerSecurity(List.of("NET_ADMIN"), List.of("MKNOD"), false,
        NamespaceOptions.DEFAULT, OptionalLong.of(1000), OptionalLong.of(2000), "", true, List.of(3000L, 3001L), true,
        List.of(), List.of(), SecurityProfile.UNCONFINED, null);
    LinuxResources r = new LinuxResources(100_000, 50_000, 512, 64 << 20, -997, "0", "0", List.of(), Map.of(), 0);
    String log = PodContainerConfigs.logPath(sandbox(NamespaceOptions.DEFAULT, ""), container(sec, r, List.of()));
    assertThat(log).isEqualTo("/var/log/pods/prod_web_uid-1/app/1.log");
    ContainerConfig c = PodContainerConfigs.config(SANDBOX, sandbox(NamespaceOptions.DEFAULT, ""),
        container(sec, r, List.of(new PodMount("/c", "/h", true, true, PodMount.Propagation.HOST_TO_CONTAINER,
            false))), log);
    String infra = "container:" + SANDBOX;
    assertThat(c.networkMode()).isEqualTo(infra);
    assertThat(c.host().pidMode()).isEqualTo(infra);
    assertThat(c.host().ipcMode()).isEqualTo(infra);
    assertThat(c.host().utsMode()).isEqualTo(infra);
    assertThat(c.hostname()).isEmpty(); // the UTS namespace is the infra's
    assertThat(c.entrypoint()).containsExactly("sh");
    assertThat(c.cmd()).containsExactly("-c", "true");
    assertThat(c.env()).containsExactly("A=1");
    assertThat(c.workingDir()).isEqualTo("/w");
    assertThat(c.user()).isEqualTo("1000:2000");
    assertThat(c.host().groupAdd()).containsExactly("3000", "3001");
    assertThat(c.capAdd()).containsExactly("NET_ADMIN");
    assertThat(c.capDrop()).containsExactly("MKNOD");
    assertThat(c.readonlyRootfs()).isTrue();
    assertThat(c.securityOpt()).containsExactly("seccomp=unconfined", "no-new-privileges");
    assertThat(c.openStdin()).isTrue();
    assertThat(c.stdinOnce()).isTrue();
    assertThat(c.memory()).isEqualTo(64 << 20);
    assertThat(c.memorySwap()).isEqualTo(64 << 20); // no swap beyond the limit
    assertThat(c.cpuShares()).isEqualTo(512);
    assertThat(c.cpusetCpus()).isEqualTo("0");
    assertThat(c.limits().cpuPeriod()).isEqualTo(100_000);
    assertThat(c.limits().cpuQuota()).isEqualTo(50_000);
    assertThat(c.limits().cpusetMems()).isEqualTo("0");
    assertThat(c.host().oomScoreAdj()).isZero(); // kubelet's -997 cannot be granted without CAP_SYS_RESOURCE
    assertThat(c.host().devices()).singleElement().satisfies(d -> {
      assertThat(d.pathOnHost()).isEqualTo("/dev/null");
      assertThat(d.pathInContainer()).isEqualTo("/dev/xnull");
      assertThat(d.cgroupPermissions()).isEqualTo("rwm");
    });
    assertThat(c.host().dns()).containsExactly("10.96.0.10");
    assertThat(c.host().annotations()).containsEntry("k", "v");
    MountRequest m = c.storage().mounts().getFirst();
    assertThat(m.source()).isEqualTo("/h");
    assertThat(m.target()).isEqualTo("/c");
    assertThat(m.readOnly()).isTrue();
    assertThat(m.propagation()).isEqualTo("rslave");
    assertThat(c.logConfig().path()).contains(Path.of(log));
    assertThat(c.labels()).containsEntry("tier", "x").containsEntry(PodLabels.SANDBOX, SANDBOX)
        .containsEntry("io.kubernetes.container.name", "app").containsEntry("io.kubernetes.pod.name", "web");
  }

  @Test
  void namespaceModesOfAContainer() {
    ContainerSecurity own = new ContainerSecurity(null, null, false, new NamespaceOptions(NamespaceMode.POD,
        NamespaceMode.CONTAINER, NamespaceMode.NODE, ""), null, null, "nobody", false, null, false, null, null, null,
        null);
    ContainerConfig c = PodContainerConfigs.config(SANDBOX, sandbox(NamespaceOptions.DEFAULT, ""),
        container(own, null, List.of()), "");
    assertThat(c.host().pidMode()).isEmpty();
    assertThat(c.host().ipcMode()).isEqualTo("host");
    assertThat(c.user()).isEqualTo("nobody");
    assertThat(c.logConfig()).isEqualTo(LogConfig.DEFAULT);

    ContainerSecurity target = new ContainerSecurity(null, null, false, new NamespaceOptions(NamespaceMode.POD,
        NamespaceMode.TARGET, NamespaceMode.POD, "b".repeat(64)), null, null, null, false, null, false, null, null,
        null, null);
    assertThat(PodContainerConfigs.config(SANDBOX, sandbox(NamespaceOptions.DEFAULT, ""),
        container(target, null, List.of()), "").host().pidMode()).isEqualTo("container:" + "b".repeat(64));

    ContainerConfig hostNet = PodContainerConfigs.config(SANDBOX, sandbox(new NamespaceOptions(NamespaceMode.NODE,
        NamespaceMode.POD, NamespaceMode.POD, ""), ""), container(ContainerSecurity.DEFAULT, null, List.of()), "");
    assertThat(hostNet.networkMode()).isEqualTo("host");
    assertThat(hostNet.host().utsMode()).isEqualTo("host");
  }

  @Test
  void seccompProfiles() {
    assertThat(PodContainerConfigs.seccomp(SecurityProfile.RUNTIME_DEFAULT)).isEmpty();
    assertThat(PodContainerConfigs.seccomp(new SecurityProfile(SecurityProfile.Type.LOCALHOST, "/p.json")))
        .containsExactly("seccomp=/p.json");
    assertThatThrownBy(() -> PodContainerConfigs.seccomp(new SecurityProfile(SecurityProfile.Type.LOCALHOST, "")))
        .isInstanceOf(BerthException.InvalidArgument.class);
  }

  @Test
  void labelSelectorsAndNames() {
    assertThat(PodLabels.matches(Map.of("a", "1", "b", "2"), Map.of("a", "1"))).isTrue();
    assertThat(PodLabels.matches(Map.of("a", "1"), Map.of("a", "2"))).isFalse();
    assertThat(PodLabels.matches(Map.of(), Map.of())).isTrue();
    assertThat(PodLabels.sandboxName(new PodMetadata("web", "u-1", "prod", 3))).isEqualTo("k8s_POD_web_prod_u-1_3");
    assertThat(PodLabels.containerName(new PodMetadata("we b", "u", "n", 0), new ContainerMetadata("c:1", 2)))
        .isEqualTo("k8s_c-1_we-b_n_u_2");
  }

  @Test
  void cgroupParentIsCgroupfsPath() {
    assertThat(PodSpecHook.cgroupsPath(sandbox(NamespaceOptions.DEFAULT, "/kubepods/besteffort/poduid-1"), "c1"))
        .contains("/kubepods/besteffort/poduid-1/berth-c1");
    assertThat(PodSpecHook.cgroupsPath(sandbox(NamespaceOptions.DEFAULT, ""), "c1")).isEmpty();
  }

  @Test
  void mountPropagationSetsTheRootsPropagation() {
    PodMount slave = new PodMount("/a", "/h", false, false, PodMount.Propagation.HOST_TO_CONTAINER, false);
    PodMount shared = new PodMount("/b", "/h", false, false, PodMount.Propagation.BIDIRECTIONAL, false);
    PodMount priv = new PodMount("/c", "/h", false, false, PodMount.Propagation.PRIVATE, false);
    assertThat(PodSpecHook.rootfsPropagation(List.of(priv))).isNull();
    assertThat(PodSpecHook.rootfsPropagation(List.of(priv, slave))).isEqualTo("rslave");
    assertThat(PodSpecHook.rootfsPropagation(List.of(slave, shared))).isEqualTo("rshared");
  }

  @Test
  void theStrictSupplementalGroupsPolicyEndsTheUserWithAnEmptyGroup() {
    ContainerSecurity merge = new ContainerSecurity(List.of(), List.of(), false, NamespaceOptions.DEFAULT,
        java.util.OptionalLong.of(1000), java.util.OptionalLong.empty(), "", false, List.of(1234L), false, List.of(),
        List.of(), SecurityProfile.RUNTIME_DEFAULT, SecurityProfile.RUNTIME_DEFAULT, false);
    ContainerSecurity strict = new ContainerSecurity(List.of(), List.of(), false, NamespaceOptions.DEFAULT,
        java.util.OptionalLong.of(1000), java.util.OptionalLong.empty(), "", false, List.of(1234L), false, List.of(),
        List.of(), SecurityProfile.RUNTIME_DEFAULT, SecurityProfile.RUNTIME_DEFAULT, true);
    ContainerSecurity strictImageUser = new ContainerSecurity(List.of(), List.of(), false, NamespaceOptions.DEFAULT,
        java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), "", false, List.of(), false, List.of(),
        List.of(), SecurityProfile.RUNTIME_DEFAULT, SecurityProfile.RUNTIME_DEFAULT, true);
    assertThat(PodContainerConfigs.user(merge)).isEqualTo("1000");
    assertThat(PodContainerConfigs.user(strict)).isEqualTo("1000:");
    assertThat(PodContainerConfigs.user(strictImageUser)).isEqualTo(":");
    assertThat(PodContainerConfigs.user(ContainerSecurity.DEFAULT)).isEmpty();
  }

  @Test
  void aRecursiveReadOnlyMountIsRroAndNeedsReadonlyAndPrivatePropagation() {
    PodMount rro = new PodMount("/m", "/h", true, false, PodMount.Propagation.PRIVATE, true);
    MountRequest m = PodContainerConfigs.storage(container(ContainerSecurity.DEFAULT, null, List.of(rro)))
        .mounts().getFirst();
    assertThat(m.readOnly()).isTrue();
    assertThat(m.readOnlyForceRecursive()).isTrue();
    assertThat(m.propagation()).isEqualTo("rprivate");

    PodMount writable = new PodMount("/m", "/h", false, false, PodMount.Propagation.PRIVATE, true);
    assertThatThrownBy(() -> PodContainerConfigs.storage(container(ContainerSecurity.DEFAULT, null, List.of(writable))))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("needs readonly: true");
    for (PodMount.Propagation p : List.of(PodMount.Propagation.HOST_TO_CONTAINER, PodMount.Propagation.BIDIRECTIONAL)) {
      PodMount propagating = new PodMount("/m", "/h", true, false, p, true);
      assertThatThrownBy(() -> PodContainerConfigs.storage(container(ContainerSecurity.DEFAULT, null, List.of(propagating))))
          .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("PROPAGATION_PRIVATE");
    }
  }

  @Test
  void berthsBridgeConflistAndPortMappings() {
    PodNetworkConfig cfg = PodNetworkConfig.DEFAULTS.withBridge("bp1", "10.99.1.0/24");
    ObjectNode list = SandboxNetwork.defaultConfList(cfg, Path.of("/ipam"));
    assertThat(list.path("plugins").get(0).path("bridge").asText()).isEqualTo("bp1");
    assertThat(list.path("plugins").get(0).path("ipam").path("ranges").get(0).get(0).path("subnet").asText())
        .isEqualTo("10.99.1.0/24");
    assertThat(list.path("plugins").get(1).path("type").asText()).isEqualTo("portmap");
    ObjectNode withPorts = SandboxNetwork.withPortMappings(list, List.of(
        new PodPortMapping(PodPortMapping.Protocol.UDP, 53, 5353, "127.0.0.1"),
        new PodPortMapping(PodPortMapping.Protocol.TCP, 80, 0, "")));
    JsonNode pm = withPorts.path("plugins").get(1).path("runtimeConfig").path("portMappings");
    assertThat(pm).hasSize(1);
    assertThat(pm.get(0).path("hostPort").asInt()).isEqualTo(5353);
    assertThat(pm.get(0).path("containerPort").asInt()).isEqualTo(53);
    assertThat(pm.get(0).path("protocol").asText()).isEqualTo("udp");
    assertThat(pm.get(0).path("hostIP").asText()).isEqualTo("127.0.0.1");
    assertThat(list.path("plugins").get(1).has("runtimeConfig")).isFalse(); // the original is untouched
    ObjectNode noHostPorts = SandboxNetwork.withPortMappings(list, List.of(
        new PodPortMapping(PodPortMapping.Protocol.TCP, 80, 0, "")));
    assertThat(noHostPorts.path("plugins")).hasSize(1); // no portmap without host ports: ADD and DEL skip it
    assertThat(noHostPorts.path("plugins").get(0).path("type").asText()).isEqualTo("bridge");
    assertThat(SandboxNetwork.withPortMappings(list, List.of()).path("plugins")).hasSize(1);
    assertThat(list.path("plugins")).hasSize(2);
  }

  @Test
  void recordsRoundTripThroughJson() throws Exception {
    SandboxSpec s = sandbox(NamespaceOptions.DEFAULT, "/p");
    byte[] json = PodRecords.JSON.writeValueAsBytes(new SandboxRecord(SANDBOX, s, 5, "/ns", null, true, "10.0.0.2",
        List.of()));
    SandboxRecord back = PodRecords.JSON.readValue(json, SandboxRecord.class);
    assertThat(back.spec()).isEqualTo(s);
    ContainerSecurity sec = new ContainerSecurity(null, null, false, null, OptionalLong.of(0), OptionalLong.empty(),
        null, false, null, false, null, null, null, null);
    PodContainerSpec c = container(sec, null, List.of());
    ContainerRecord cr = PodRecords.JSON.readValue(PodRecords.JSON.writeValueAsBytes(new ContainerRecord("c", SANDBOX,
        c, "/l", null, null)), ContainerRecord.class);
    assertThat(cr.spec()).isEqualTo(c);
    assertThat(cr.spec().security().runAsUser()).hasValue(0);
    assertThat(cr.spec().security().runAsGroup()).isEmpty();
  }
}
