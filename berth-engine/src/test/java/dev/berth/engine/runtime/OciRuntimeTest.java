package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.EngineConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OciRuntimeTest {
  @Test
  void keepsItsStateUnderTheExecRoot() {
    OciRuntime runc =
        OciRuntime.of("runc", Path.of("/usr/sbin/runc"), new EngineConfig(Path.of("/d"), Path.of("/run/berth")));

    assertThat(runc.stateRoot()).isEqualTo(Path.of("/run/berth/runtime/runc"));
    assertThat(runc.globalArgs()).containsExactly("--root=/run/berth/runtime/runc");
  }

  @Test
  void extractsTheMessageFromLogrusLines() {
    assertThat(
            OciRuntime.errorMessage(
                "time=\"2026-11-27T20:56:55Z\" level=error msg=\"container does not exist\"\n"))
        .isEqualTo("container does not exist");
    assertThat(OciRuntime.errorMessage("msg=\"exec: \\\"sh\\\": not found\"")).isEqualTo("exec: \"sh\": not found");
    assertThat(OciRuntime.errorMessage("plain failure\n")).isEqualTo("plain failure");
    assertThat(OciRuntime.errorMessage("")).isEqualTo("no error output");
  }

  @Test
  void readsTheMountOptionsOfFeatures() {
    assertThat(OciRuntime.parseMountOptions("{\"ociVersionMin\":\"1.0.0\",\"mountOptions\":[\"rbind\",\"rro\",\"ro\"]}"))
        .containsExactlyInAnyOrder("rbind", "rro", "ro");
    assertThat(OciRuntime.parseMountOptions("{}")).isEmpty();
    assertThat(OciRuntime.parseMountOptions("not json")).isEmpty();
  }

  @Test
  void parsesVersionLines() {
    assertThat(OciRuntime.parseVersion("runc version 1.1.5+ds1\ncommit: x\nspec: 1.0.2-dev\n")).isEqualTo("1.1.5+ds1");
    assertThat(OciRuntime.parseVersion("crun version 1.8.1\ncommit: f8a0\n")).isEqualTo("1.8.1");
  }

  @Test
  void probeReasonIsOneLine() {
    assertThat(RuntimeProbe.oneLine("a\nb: cgroups in hybrid mode not supported\n"))
        .isEqualTo("b: cgroups in hybrid mode not supported");
  }

  @Test
  void attachSocketPathFitsSunPathUnderARealExecRoot() {
    ConmonPaths paths = ConmonPaths.of(Path.of("/run/berth"), "a".repeat(64));

    assertThat(paths.attachSocket().toString()).hasSizeLessThan(108);
    assertThat(paths.exitFile()).isEqualTo(Path.of("/run/berth/conmon/" + "a".repeat(64) + "/exit/" + "a".repeat(64)));
  }
}
