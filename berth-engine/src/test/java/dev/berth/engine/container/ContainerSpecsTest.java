package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.runtime.SpecDefaults;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Rlimit;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecsTest {
  private static final String ID = "a".repeat(64);
  private static final ContainerSpecs.EtcFiles ETC =
      new ContainerSpecs.EtcFiles(Path.of("/c/hosts"), Path.of("/c/hostname"), Path.of("/c/resolv.conf"));
  private static final ImageConfig.RunConfig IMAGE = new ImageConfig.RunConfig("", null,
      List.of("PATH=/bin", "LANG=C"), List.of("/entry"), List.of("default", "cmd"), null, "/srv",
      Map.of("from", "image"), "SIGQUIT", null, null, null, null, null);

  private static ContainerConfig config(String json) throws Exception {
    return ContainerStore.JSON.readValue(json, ContainerConfig.class);
  }

  private static Spec build(ContainerConfig c) {
    return ContainerSpecs.build(ID, ContainerCreateRules.merge(c, IMAGE), Path.of("/c/rootfs"), ETC,
        new User(1, 2, null, null), Path.of("/usr/bin/tini"), 20000, ContainerSpecs.ALL_CAPS);
  }

  @Test
  void imageDefaultsMergeWithTheCallersOptionsAsDockerDoes() throws Exception {
    ContainerConfig merged = ContainerCreateRules.merge(config("""
        {"image":"i","env":["LANG=de","X=1"],"labels":{"k":"v"},"cmd":["own"]}"""), IMAGE);
    assertThat(merged.args()).containsExactly("/entry", "own");
    assertThat(merged.env()).containsExactly("PATH=/bin", "LANG=de", "X=1");
    assertThat(merged.workingDir()).isEqualTo("/srv");
    assertThat(merged.stopSignal()).isEqualTo("SIGQUIT");
    assertThat(merged.labels()).containsEntry("from", "image").containsEntry("k", "v");

    // An explicit entrypoint drops the image's cmd; an empty one removes the image's entrypoint.
    assertThat(ContainerCreateRules.merge(config("{\"image\":\"i\",\"entrypoint\":[\"sh\"]}"), IMAGE).args())
        .containsExactly("sh");
    assertThat(ContainerCreateRules.merge(config("{\"image\":\"i\",\"entrypoint\":[],\"cmd\":[\"ls\"]}"), IMAGE).args())
        .containsExactly("ls");
  }

  @Test
  void processGetsArgsEnvUserCwdHostnameAndTheGeneratedEtcFiles() throws Exception {
    Spec spec = build(config("{\"image\":\"i\",\"hostname\":\"box\",\"tty\":true,\"cmd\":[\"x\"]}"));
    assertThat(spec.process().args()).containsExactly("/entry", "x");
    assertThat(spec.process().env()).contains("HOSTNAME=box", "TERM=xterm", "LANG=C", "PATH=/bin");
    assertThat(spec.process().user()).isEqualTo(new User(1, 2, null, null));
    assertThat(spec.process().cwd()).isEqualTo("/srv");
    assertThat(spec.process().terminal()).isTrue();
    assertThat(spec.process().oomScoreAdj()).isNull();
    assertThat(spec.hostname()).isEqualTo("box");
    assertThat(spec.linux().cgroupsPath()).isEqualTo("/berth/" + ID);
    assertThat(spec.mounts()).contains(new Mount("/etc/hosts", "bind", "/c/hosts", List.of("rbind", "rprivate")),
        new Mount("/etc/resolv.conf", "bind", "/c/resolv.conf", List.of("rbind", "rprivate")));
    assertThat(spec.process().capabilities().bounding()).isEqualTo(SpecDefaults.CAPABILITIES);
    assertThat(spec.linux().maskedPaths()).isEqualTo(SpecDefaults.MASKED_PATHS);
    assertThat(spec.linux().namespaces()).extracting(Namespace::type).contains("network", "pid", "mount");
  }

  @Test
  void initRunsTiniAsDevInit() throws Exception {
    Spec spec = build(config("{\"image\":\"i\",\"init\":true}"));
    assertThat(spec.process().args()).containsExactly("/dev/init", "--", "/entry", "default", "cmd");
    assertThat(spec.mounts()).contains(new Mount("/dev/init", "bind", "/usr/bin/tini", List.of("bind", "ro", "nosuid")));
  }

  @Test
  void limitsBecomeCgroupResources() throws Exception {
    Spec spec = build(config("""
        {"image":"i","memory":33554432,"nanoCpus":1500000000,"cpuShares":512,"cpusetCpus":"0","pidsLimit":10,
         "ulimits":[{"name":"nproc","soft":10,"hard":20}]}"""));
    var r = spec.linux().resources();
    assertThat(r.memory().limit()).isEqualTo(33554432L);
    assertThat(r.memory().swap()).isEqualTo(2 * 33554432L);
    assertThat(r.cpu().quota()).isEqualTo(150_000L);
    assertThat(r.cpu().period()).isEqualTo(100_000L);
    assertThat(r.cpu().shares()).isEqualTo(512L);
    assertThat(r.cpu().cpus()).isEqualTo("0");
    assertThat(r.pids().limit()).isEqualTo(10);
    assertThat(spec.process().rlimits()).contains(new Rlimit("RLIMIT_NPROC", 20, 10));
  }

  @Test
  void theSpecNeverAsksForMoreOpenFilesThanTheHostAllows() throws Exception {
    assertThatThrownBy(() -> build(config("{\"image\":\"i\",\"ulimits\":[{\"name\":\"nofile\",\"soft\":1,\"hard\":99999}]}")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--ulimit nofile");
  }

  @Test
  void securityOptions() throws Exception {
    Spec spec = build(config("""
        {"image":"i","capAdd":["NET_ADMIN"],"capDrop":["chown","CAP_KILL"],"readonlyRootfs":true,
         "securityOpt":["no-new-privileges"],"networkMode":"host"}"""));
    assertThat(spec.process().capabilities().effective()).contains("CAP_NET_ADMIN")
        .doesNotContain("CAP_CHOWN", "CAP_KILL");
    assertThat(spec.root().readonly()).isTrue();
    assertThat(spec.process().noNewPrivileges()).isTrue();
    assertThat(spec.linux().namespaces()).extracting(Namespace::type).doesNotContain("network");

    Spec none = build(config("{\"image\":\"i\",\"capDrop\":[\"ALL\"]}"));
    assertThat(none.process().capabilities().effective()).isEmpty();
    assertThatThrownBy(() -> build(config("{\"image\":\"i\",\"capAdd\":[\"NOPE\"]}")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("unknown capability");
    assertThatThrownBy(() -> build(config("{\"image\":\"i\",\"securityOpt\":[\"bogus\"]}")))
        .isInstanceOf(BerthException.InvalidArgument.class);
  }

  @Test
  void privilegedGetsTheBoundingSetAllDevicesAndNoMasks() throws Exception {
    List<String> host = ContainerSpecs.fromMask(0xa80425fbL);
    Spec spec = ContainerSpecs.build(ID, ContainerCreateRules.merge(config("{\"image\":\"i\",\"privileged\":true}"), IMAGE),
        Path.of("/r"), ETC, new User(0, 0, null, null), Path.of("/t"), 20000, host);
    assertThat(spec.process().capabilities().bounding()).containsExactlyElementsOf(SpecDefaults.CAPABILITIES.stream()
        .sorted((a, b) -> ContainerSpecs.ALL_CAPS.indexOf(a) - ContainerSpecs.ALL_CAPS.indexOf(b)).toList());
    assertThat(spec.linux().maskedPaths()).isEmpty();
    assertThat(spec.linux().readonlyPaths()).isEmpty();
    assertThat(spec.linux().resources().devices()).hasSize(1).allMatch(d -> d.allow());
    assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/sys")).allMatch(m -> !m.options().contains("ro"));
  }

  @Test
  void aPrivilegedContainerRunsWithoutTheSeccompProfileItNames(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path profile = dir.resolve("block-hostname.json");
    java.nio.file.Files.writeString(profile, """
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["sethostname"],"action":"SCMP_ACT_ERRNO"}]}""");
    String opt = ",\"securityOpt\":[\"seccomp=" + profile + "\"]}";
    assertThat(build(config("{\"image\":\"i\"" + opt)).linux().seccomp()).isNotNull();
    assertThat(build(config("{\"image\":\"i\",\"privileged\":true" + opt)).linux().seccomp()).isNull();
  }

  @Test
  void invalidLimitsNameTheOption() throws Exception {
    assertThatThrownBy(() -> ContainerCreateRules.validateLimits(config("{\"image\":\"i\",\"memory\":1000}")))
        .hasMessageContaining("--memory").hasMessageContaining("6MB");
    assertThatThrownBy(() -> ContainerCreateRules.validateLimits(config("{\"image\":\"i\",\"nanoCpus\":-1}")))
        .hasMessageContaining("--cpus");
    assertThatThrownBy(() -> ContainerCreateRules.validateLimits(
        config("{\"image\":\"i\",\"memory\":67108864,\"memorySwap\":33554432}"))).hasMessageContaining("--memory-swap");
    assertThatThrownBy(() -> ContainerCreateRules.validateLimits(config("{\"image\":\"i\",\"cpusetCpus\":\"a-b\"}")))
        .hasMessageContaining("--cpuset-cpus");
  }

  @Test
  void startFailuresMapToDockersExitCodes() {
    assertThat(StartFailures.exitCode("exec: \"nope\": executable file not found in $PATH")).isEqualTo(127);
    assertThat(StartFailures.exitCode("exec: \"/etc\": permission denied")).isEqualTo(126);
    assertThat(StartFailures.exitCode("cgroup trouble")).isEqualTo(128);
    assertThat(StartFailures.exitCode("chdir to cwd (\"/nope\") set in config.json failed: no such file or"
        + " directory")).isEqualTo(126);
  }
}
