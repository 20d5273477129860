package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.runtime.spec.Seccomp;
import dev.berth.engine.runtime.spec.SpecJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerSeccompProfileTest {
  // A small profile in Docker's format, written for this test.
  private static final String PROFILE =
      """
      {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "archMap": [
          {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
          {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
        ],
        "syscalls": [
          {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
          {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
           "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
          {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
          {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["newer"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "7.1"}},
          {"names": ["older"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "includes": {"minKernel": "4.8"}}
        ]
      }
      """;

  private final DockerSeccompProfile profile =
      SpecJson.read(PROFILE.getBytes(StandardCharsets.UTF_8), DockerSeccompProfile.class);

  @Test
  void anArchitectureTheKernelCannotRunCanBeLeftOutAndTheRulesStay() {
    Seccomp full = profile.toOci("amd64", SpecDefaults.CAPABILITIES, "6.18.44-fc-v657");
    Seccomp pruned = profile.withoutArchitecture("SCMP_ARCH_X32").toOci("amd64", SpecDefaults.CAPABILITIES,
        "6.18.44-fc-v657");
    assertThat(pruned.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
    assertThat(pruned.syscalls()).isEqualTo(full.syscalls());
    assertThat(pruned.defaultAction()).isEqualTo(full.defaultAction());
    assertThat(profile.withoutArchitecture("SCMP_ARCH_X32").toOci("aarch64", List.of(), "6.1").architectures())
        .containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
  }

  @Test
  void resolvesArchitecturesCapabilitiesAndKernel() {
    Seccomp oci = profile.toOci("amd64", SpecDefaults.CAPABILITIES, "6.18.44-fc-v657");

    assertThat(oci.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
    assertThat(oci.defaultErrnoRet()).isEqualTo(1);
    assertThat(oci.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    assertThat(oci.syscalls()).flatExtracting(Seccomp.Syscall::names)
        .containsExactly("read", "write", "personality", "arch_prctl", "clone", "older");
    assertThat(oci.syscalls().get(1).args()).containsExactly(new Seccomp.Arg(0, 8, 0L, "SCMP_CMP_EQ"));
    assertThat(oci.syscalls().getLast().errnoRet()).isEqualTo(38);
  }

  @Test
  void capabilityConditionsFollowTheContainersSet() {
    List<String> withAdmin = new java.util.ArrayList<>(SpecDefaults.CAPABILITIES);
    withAdmin.add("CAP_SYS_ADMIN");

    Seccomp oci = profile.toOci("aarch64", withAdmin, "5.10");

    assertThat(oci.architectures()).containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
    assertThat(oci.syscalls()).flatExtracting(Seccomp.Syscall::names)
        .containsExactly("read", "write", "personality", "mount", "older");
  }

  @Test
  void serializesInOciForm() throws Exception {
    String json = SpecJson.toString(profile.toOci("amd64", List.of(), "6.1"));

    assertThat(json).doesNotContain("includes", "excludes", "archMap", "null");
    assertThat(SpecJson.mapper().readTree(json).at("/syscalls/0/names/0").asText()).isEqualTo("read");
  }

  @Test
  void comparesKernelReleases() {
    assertThat(DockerSeccompProfile.compareKernel("6.18.44-fc-v657", "4.8")).isPositive();
    assertThat(DockerSeccompProfile.compareKernel("4.8.0", "4.8")).isZero();
    assertThat(DockerSeccompProfile.compareKernel("4.14", "5.8")).isNegative();
  }
}
