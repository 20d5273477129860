package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.DeviceRule;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Resources;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each HostOptions field → the OCI spec, and the create-time checks with dockerd's words. */
class HostOptionsSpecTest {
  private static final String ID = "a".repeat(64);
  private static final ContainerSpecs.EtcFiles ETC =
      new ContainerSpecs.EtcFiles(Path.of("/c/hosts"), Path.of("/c/hostname"), Path.of("/c/resolv.conf"));

  private static ContainerConfig config(String hostJson) throws Exception {
    return ContainerStore.JSON.readValue("{\"image\":\"i\",\"cmd\":[\"x\"],\"hostname\":\"box\",\"host\":"
        + hostJson + "}", ContainerConfig.class);
  }

  private static Spec spec(String hostJson) throws Exception {
    ContainerConfig c = config(hostJson);
    c = c.withHost(c.host().withDevices(c.host().devices().stream().map(HostOptionsCheck::resolve).toList()));
    return ContainerSpecs.build(ID, c, Path.of("/c/rootfs"), ETC, User.ROOT, Path.of("/usr/bin/tini"), 20000,
        ContainerSpecs.ALL_CAPS);
  }

  private static List<String> namespaceTypes(Spec s) {
    return s.linux().namespaces().stream().map(Namespace::type).toList();
  }

  private static ContainerConfig check(String hostJson) throws Exception {
    ContainerConfig c = ContainerStore.JSON.readValue("{\"image\":\"i\",\"cmd\":[\"x\"],\"host\":" + hostJson + "}",
        ContainerConfig.class);
    return HostOptionsCheck.check(c, name -> {
      throw new BerthException.NotFound("No such container: " + name);
    });
  }

  @Test
  void defaultsLeaveDockersSpecAlone() throws Exception {
    Spec s = spec("{}");
    assertThat(namespaceTypes(s)).containsExactlyInAnyOrder("mount", "network", "uts", "pid", "ipc");
    assertThat(s.hostname()).isEqualTo("box");
    assertThat(s.linux().sysctl()).isNull();
    assertThat(s.linux().devices()).isNull();
    assertThat(s.linux().resources().memory()).isNull();
    assertThat(s.mounts()).extracting(Mount::destination).contains("/dev/shm");
  }

  @Test
  void hostModesShareTheHostsNamespaces() throws Exception {
    Spec s = spec("{\"pidMode\":\"host\",\"ipcMode\":\"host\",\"utsMode\":\"host\"}");
    assertThat(namespaceTypes(s)).containsExactlyInAnyOrder("mount", "network");
    assertThat(s.hostname()).as("runc refuses a hostname without its own UTS namespace").isNull();
    assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm"))
        .singleElement().satisfies(m -> assertThat(m.source()).isEqualTo("/dev/shm"));
  }

  @Test
  void ipcNoneHasNoDevShmAndCgroupnsPrivateGetsItsOwnNamespace() throws Exception {
    assertThat(spec("{\"ipcMode\":\"none\"}").mounts()).extracting(Mount::destination).doesNotContain("/dev/shm");
    assertThat(spec("{\"cgroupnsMode\":\"private\"}").linux().namespaces()).contains(new Namespace("cgroup", null));
    assertThat(namespaceTypes(spec("{\"cgroupnsMode\":\"host\"}"))).doesNotContain("cgroup");
  }

  @Test
  void memoryTuningShmSysctlsAndAnnotationsReachTheSpec() throws Exception {
    Spec s = spec("{\"memoryReservation\":8388608,\"memorySwappiness\":10,\"oomKillDisable\":true,"
        + "\"shmSize\":1048576,\"sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"oomScoreAdj\":500,"
        + "\"annotations\":{\"org.example\":\"v\"}}");
    assertThat(s.linux().resources().memory()).isEqualTo(new Resources.Memory(null, 8388608L, null, 10L, true));
    assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).singleElement()
        .satisfies(m -> assertThat(m.options()).contains("size=1024k"));
    assertThat(s.linux().sysctl()).containsExactly(Map.entry("net.ipv4.ip_forward", "1"));
    assertThat(s.process().oomScoreAdj()).isEqualTo(500);
    assertThat(s.annotations()).containsEntry("org.example", "v");
  }

  @Test
  void aDeviceIsCreatedAndAllowedAndCgroupRulesFollowDockersDefaults() throws Exception {
    Spec s = spec("{\"devices\":[{\"pathOnHost\":\"/dev/null\",\"pathInContainer\":\"/dev/mynull\","
        + "\"cgroupPermissions\":\"rw\"}],\"deviceCgroupRules\":[\"c 42:* rmw\"]}");
    assertThat(s.linux().devices()).singleElement().satisfies(d -> {
      assertThat(d.type()).isEqualTo("c");
      assertThat(d.path()).isEqualTo("/dev/mynull");
      assertThat(d.major()).isEqualTo(1);
      assertThat(d.minor()).isEqualTo(3);
      assertThat(d.fileMode()).isEqualTo(0666);
    });
    List<DeviceRule> rules = s.linux().resources().devices();
    assertThat(rules.getFirst()).isEqualTo(DeviceRule.denyAll());
    assertThat(rules).contains(new DeviceRule(true, "c", 1L, 3L, "rw"), new DeviceRule(true, "c", 42L, null, "rmw"));
  }

  @Test
  void checksRefuseWhatDockerRefusesWithItsWords() {
    assertThatThrownBy(() -> check("{\"pidMode\":\"bogus\"}")).hasMessage("invalid --pid: bogus");
    assertThatThrownBy(() -> check("{\"ipcMode\":\"container:\"}")).hasMessage("invalid --ipc: container:");
    assertThatThrownBy(() -> check("{\"utsMode\":\"container:nope\"}")).isInstanceOf(BerthException.NotFound.class);
    assertThatThrownBy(() -> check("{\"cgroupnsMode\":\"x\"}")).hasMessageStartingWith("invalid cgroup namespace mode: x");
    assertThatThrownBy(() -> check("{\"memorySwappiness\":101}"))
        .hasMessage("Invalid value: 101, valid memory swappiness range is 0-100");
    assertThatThrownBy(() -> check("{\"memoryReservation\":1000}"))
        .hasMessage("invalid --memory-reservation: Minimum memory reservation allowed is 6MB");
    assertThatThrownBy(() -> check("{\"shmSize\":-1}")).hasMessage("SHM size can not be less than 0");
    assertThatThrownBy(() -> check("{\"oomScoreAdj\":-5}")).hasMessageContaining("CAP_SYS_RESOURCE");
    assertThatThrownBy(() -> check("{\"sysctls\":{\"vm.swappiness\":\"1\"}}"))
        .hasMessage("sysctl \"vm.swappiness\" is not in a separate kernel namespace");
    assertThatThrownBy(() -> check("{\"deviceCgroupRules\":[\"x 1:2 r\"]}"))
        .hasMessage("invalid device cgroup format 'x 1:2 r'");
    assertThatThrownBy(() -> check("{\"devices\":[{\"pathOnHost\":\"/dev/berth-no-such\"}]}"))
        .hasMessage("error gathering device information while adding custom device \"/dev/berth-no-such\": "
            + "no such file or directory");
    assertThatThrownBy(() -> check("{\"devices\":[{\"pathOnHost\":\"/etc/hostname\"}]}"))
        .hasMessageEndingWith("not a device node");
    assertThatThrownBy(() -> check("{\"extraHosts\":[\"nohost\"]}")).hasMessageContaining("bad format for add-host");
  }

  @Test
  void utsModeConflictsWithAHostnameAndNetSysctlsWithTheHostNetwork() throws Exception {
    ContainerConfig c = ContainerStore.JSON.readValue("{\"image\":\"i\",\"hostname\":\"h\",\"host\":{\"utsMode\":"
        + "\"host\"}}", ContainerConfig.class);
    assertThatThrownBy(() -> HostOptionsCheck.check(c, n -> null))
        .hasMessage("conflicting options: hostname and the UTS mode");
    assertThatThrownBy(() -> HostOptionsCheck.sysctls(Map.of("net.ipv4.ip_forward", "1"), "host", ""))
        .hasMessage("sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace");
    HostOptionsCheck.sysctls(Map.of("kernel.shmmax", "1", "fs.mqueue.msg_max", "5"), "bridge", "");
  }

  @Test
  void containerModesJoinTheRunningContainersNamespacesAndRefuseAStoppedOne() throws Exception {
    ContainerConfig c = config("{\"pidMode\":\"container:other\",\"ipcMode\":\"container:other\"}");
    Spec base = spec("{}");
    Container running = new Container("b".repeat(64), "other", "sha256:x", "i", Instant.EPOCH, c,
        new ContainerState.Running(4242, Instant.EPOCH), 0, null);
    Spec s = SharedNamespaces.apply(base, c, n -> running);
    assertThat(s.linux().namespaces()).contains(new Namespace("pid", "/proc/4242/ns/pid"),
        new Namespace("ipc", "/proc/4242/ns/ipc"), new Namespace("uts", null));
    assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).singleElement()
        .satisfies(m -> assertThat(m.source()).isEqualTo("/proc/4242/root/dev/shm"));
    Container stopped = running.withState(new ContainerState.Created());
    assertThatThrownBy(() -> SharedNamespaces.apply(base, c, n -> stopped))
        .isInstanceOf(BerthException.Conflict.class)
        .hasMessage("cannot join PID of a non running container: " + "b".repeat(64));
  }

  @Test
  void groupAddResolvesNamesInTheContainersGroupFileAndTakesNumbers() {
    List<String> group = List.of("root:x:0:", "audio:x:29:", "staff:x:50:");
    User u = Users.resolve("", List.of("audio", "1234"), List.of("root:x:0:0::/root:/bin/sh"), group);
    // the primary group comes first, as dockerd's `id` shows it (groups=0(root),29(audio),1234)
    assertThat(u.additionalGids()).containsExactly(0, 29, 1234);
    assertThatThrownBy(() -> Users.resolve("", List.of("nogroup"), List.of(), group))
        .hasMessage("unable to find group nogroup: no matching entries in group file");
  }
}
