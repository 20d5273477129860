package dev.berth.engine.runtime.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecJsonTest {
  @Test
  void writesTheSpecsFieldNamesAndOmitsNulls() throws Exception {
    Spec spec =
        new Spec(
            Spec.OCI_VERSION,
            new ProcessSpec(
                false,
                null,
                new User(1000, 1000, List.of(10), null),
                List.of("sh"),
                List.of("PATH=/bin"),
                "/",
                Capabilities.same(List.of("CAP_KILL")),
                List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)),
                true,
                null,
                null),
            new Root("rootfs", true),
            "h",
            null,
            List.of(new Mount("/proc", "proc", "proc", List.of("nosuid"))),
            new Linux(
                null,
                null,
                null,
                new Resources(
                    List.of(DeviceRule.denyAll(), DeviceRule.allowChar(1, 3)),
                    Resources.Memory.limit(33554432),
                    new Resources.Cpu(512L, 50000L, 100000L, "0", null),
                    new Resources.Pids(10)),
                "/berth/x",
                List.of(Namespace.create("pid"), new Namespace("network", "/var/run/netns/n")),
                null,
                null,
                null,
                List.of("/proc/kcore"),
                List.of("/proc/sys")),
            null);

    JsonNode json = SpecJson.mapper().readTree(SpecJson.toBytes(spec));

    assertThat(json.fieldNames()).toIterable().containsExactly("ociVersion", "process", "root", "hostname", "mounts", "linux");
    assertThat(json.at("/process/user/additionalGids/0").asInt()).isEqualTo(10);
    assertThat(json.at("/process/user").has("umask")).isFalse();
    assertThat(json.at("/process/capabilities").has("ambient")).isFalse();
    assertThat(json.at("/process/capabilities/bounding/0").asText()).isEqualTo("CAP_KILL");
    assertThat(json.at("/process/rlimits/0/type").asText()).isEqualTo("RLIMIT_NOFILE");
    assertThat(json.at("/process/noNewPrivileges").asBoolean()).isTrue();
    assertThat(json.at("/process").has("oomScoreAdj")).isFalse();
    assertThat(json.at("/root/readonly").asBoolean()).isTrue();
    assertThat(json.at("/linux/resources/memory/limit").asLong()).isEqualTo(33554432);
    assertThat(json.at("/linux/resources/memory").has("swap")).isFalse();
    assertThat(json.at("/linux/resources/cpu/quota").asLong()).isEqualTo(50000);
    assertThat(json.at("/linux/resources/pids/limit").asLong()).isEqualTo(10);
    assertThat(json.at("/linux/resources/devices/0").toString()).isEqualTo("{\"allow\":false,\"access\":\"rwm\"}");
    assertThat(json.at("/linux/resources/devices/1/major").asLong()).isEqualTo(1);
    assertThat(json.at("/linux/namespaces/0").toString()).isEqualTo("{\"type\":\"pid\"}");
    assertThat(json.at("/linux/namespaces/1/path").asText()).isEqualTo("/var/run/netns/n");
    assertThat(json.at("/linux/cgroupsPath").asText()).isEqualTo("/berth/x");
    assertThat(json.at("/linux/maskedPaths/0").asText()).isEqualTo("/proc/kcore");
    assertThat(json.at("/linux/readonlyPaths/0").asText()).isEqualTo("/proc/sys");

    assertThat(SpecJson.read(SpecJson.toBytes(spec), Spec.class)).isEqualTo(spec);
  }

  @Test
  void refusesANegativeOomScoreAdj() {
    assertThatThrownBy(
            () -> new ProcessSpec(false, null, User.ROOT, List.of("sh"), List.of(), "/", null, null, null, null, -500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void refusesASoftLimitAboveTheHardOne() {
    assertThatThrownBy(() -> new Rlimit("RLIMIT_NOFILE", 10, 20)).isInstanceOf(IllegalArgumentException.class);
  }
}
