package dev.berth.engine.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.runtime.SpecBuilder;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Spec;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.nio.file.Files;

/** A sandbox without an infra container (decision 2100): its containers' configs and the join by path. */
class PinnedSandboxTest {
  private static final String SANDBOX = "c".repeat(64);
  private static final NamespaceOptions OWN_PIDS = new NamespaceOptions(NamespaceMode.POD, NamespaceMode.CONTAINER,
      NamespaceMode.POD, "");

  private static SandboxSpec sandbox(NamespaceOptions ns, String hostname) {
    return new SandboxSpec(new PodMetadata("web", "uid-1", "prod", 0), hostname, "", DnsConfig.NONE, List.of(),
        Map.of(), Map.of(), new SandboxLinux("", Map.of(),
            new SandboxSecurity(ns, OptionalLong.empty(), OptionalLong.empty(), false, List.of(), false, null, null)),
        "");
  }

  private static PodContainerSpec container(NamespaceOptions ns) {
    ContainerSecurity sec = new ContainerSecurity(null, null, false, ns, null, null, "", false, null, false, null,
        null, null, null);
    return new PodContainerSpec(new ContainerMetadata("app", 0), "busybox", List.of("sleep"), List.of("1"), "",
        List.of(), List.of(), List.of(), Map.of(), Map.of(), "", false, false, false, null, sec);
  }

  private static SandboxRecord record(SandboxSpec spec, String netns, String ipc, String uts) {
    return new SandboxRecord(SANDBOX, spec, 1, netns, null, true, "10.0.0.2", List.of(), true, ipc, uts, false);
  }

  @Test
  void aContainerOfAPinnedSandboxAsksForNamespacesOfItsOwnThatTheHookSwaps() {
    ContainerConfig c = PodContainerConfigs.config(SANDBOX, sandbox(OWN_PIDS, "web-0"), container(OWN_PIDS), "",
        true);
    assertThat(c.networkMode()).isEqualTo("none");
    assertThat(c.host().ipcMode()).isEmpty();
    assertThat(c.host().utsMode()).isEmpty();
    assertThat(c.host().pidMode()).isEmpty();
    // no container:<id> anywhere: there is no infra container to join
    assertThat(List.of(c.networkMode(), c.host().ipcMode(), c.host().utsMode(), c.host().pidMode()))
        .noneMatch(m -> m.startsWith("container:"));
  }

  @Test
  void hostNamespacesStayTheHosts() {
    NamespaceOptions host = new NamespaceOptions(NamespaceMode.NODE, NamespaceMode.CONTAINER, NamespaceMode.NODE, "");
    ContainerConfig c = PodContainerConfigs.config(SANDBOX, sandbox(host, ""), container(host), "", true);
    assertThat(c.networkMode()).isEqualTo("host");
    assertThat(c.host().utsMode()).isEqualTo("host");
    assertThat(c.host().ipcMode()).isEqualTo("host");
  }

  @Test
  void theHookJoinsThePodsBoundNamespacesAndSetsThePodsHostname() {
    Spec own = SpecBuilder.dockerDefaults("/rootfs").hostname("c0ffee").build();
    assertThat(own.linux().namespaces()).extracting(Namespace::type).contains("network", "ipc", "uts", "pid");
    Spec joined = PodSpecHook.joinPinned(own, record(sandbox(OWN_PIDS, "web-0"), "/run/n", "/run/i", "/run/u"));
    assertThat(joined.linux().namespaces()).contains(new Namespace("network", "/run/n"),
        new Namespace("ipc", "/run/i"), new Namespace("uts", "/run/u"));
    assertThat(joined.linux().namespaces()).filteredOn(n -> n.type().equals("pid"))
        .allSatisfy(n -> assertThat(n.path()).isNullOrEmpty()); // its own PID namespace
    assertThat(joined.hostname()).isEqualTo("web-0");
    // a pod without a hostname: the container must not rename the pod's UTS namespace
    assertThat(PodSpecHook.joinPinned(own, record(sandbox(OWN_PIDS, ""), "/run/n", "/run/i", "/run/u")).hostname())
        .isNull();
  }

  @Test
  void theHostsNamespacesAreNotTouched() {
    Spec hostNet = SpecBuilder.dockerDefaults("/rootfs").hostNamespace("network").hostNamespace("uts")
        .hostname(null).build();
    Spec joined = PodSpecHook.joinPinned(hostNet, record(sandbox(OWN_PIDS, ""), "", "/run/i", ""));
    assertThat(joined.linux().namespaces()).extracting(Namespace::type).doesNotContain("network", "uts");
    assertThat(joined.linux().namespaces()).contains(new Namespace("ipc", "/run/i"));
  }

  @Test
  void oldRecordsWithoutTheNewFieldsAreInfraSandboxes() throws Exception {
    SandboxRecord r = PodRecords.JSON.readValue("{\"id\": \"x\", \"createdNanos\": 1, \"networkUp\": true}",
        SandboxRecord.class);
    assertThat(r.pinned()).isFalse();
    assertThat(r.stopped()).isFalse();
    assertThat(r.ipcNs()).isEmpty();
    SandboxRecord pinned = record(sandbox(OWN_PIDS, "h"), "/n", "/i", "/u").withStopped();
    SandboxRecord back = PodRecords.JSON.readValue(PodRecords.JSON.writeValueAsBytes(pinned), SandboxRecord.class);
    assertThat(back).isEqualTo(pinned);
    assertThat(PodStates.pinnedState(back)).isEqualTo(SandboxState.NOTREADY);
    assertThat(PodStates.pinnedState(record(sandbox(OWN_PIDS, "h"), "/n", "/i", "/u"))).isEqualTo(SandboxState.READY);
  }

  @Test
  void aStoppedSandboxIsNotReadyAtOnceAndItsTeardownIsDueUntilItsNetworkAndFilesAreFreed(@TempDir Path dir)
      throws Exception {
    Path netns = Files.createFile(dir.resolve("netns"));
    SandboxRecord running = record(sandbox(OWN_PIDS, "h"), netns.toString(), "", "");
    assertThat(SandboxTeardown.due(running)).isFalse();
    SandboxRecord stopping = running.withStoppedBeforeTeardown();
    assertThat(PodStates.pinnedState(stopping)).isEqualTo(SandboxState.NOTREADY);
    assertThat(SandboxTeardown.due(stopping)).as("network still up").isTrue();
    SandboxRecord back = PodRecords.JSON.readValue(PodRecords.JSON.writeValueAsBytes(stopping), SandboxRecord.class);
    assertThat(SandboxTeardown.due(back)).as("survives a restart in the record").isTrue();
    assertThat(SandboxTeardown.due(stopping.withNetworkDown())).as("a namespace file still there").isTrue();
    Files.delete(netns);
    assertThat(SandboxTeardown.due(stopping.withNetworkDown())).isFalse();
    assertThat(SandboxTeardown.due(stopping.withStopped())).isFalse();
  }
}
