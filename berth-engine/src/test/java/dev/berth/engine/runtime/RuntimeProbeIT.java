package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.sys.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class RuntimeProbeIT {
  @TempDir Path scratch;

  @Test
  void runcWorksAndCrunIsRefusedOnAHybridHost() throws Exception {
    List<ProbedRuntime> results = new RuntimeProbe(scratch).probeAll();

    assertThat(results).extracting(ProbedRuntime::name).contains("runc", "crun");
    ProbedRuntime runc = results.stream().filter(r -> r.name().equals("runc")).findFirst().orElseThrow();
    assertThat(runc.usable()).as(runc.reason()).isTrue();
    assertThat(runc.version()).startsWith("1.");

    ProbedRuntime crun = results.stream().filter(r -> r.name().equals("crun")).findFirst().orElseThrow();
    if (CgroupLayout.detect(Path.of("/sys/fs/cgroup")) == CgroupLayout.HYBRID) {
      assertThat(crun.usable()).isFalse();
      assertThat(crun.reason()).contains("hybrid").doesNotContain("\n");
    }
    try (var left = Files.list(scratch)) {
      assertThat(left).as("probes clean up after themselves").isEmpty();
    }
  }
}
