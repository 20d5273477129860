package dev.berth.engine.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStatesTest {
  private static final Instant T0 = Instant.parse("2026-12-07T01:00:00.123456789Z");
  private static final Instant T1 = T0.plusSeconds(5);

  private static Container in(ContainerState s) {
    return new Container("c".repeat(64), "n", "sha256:x", "busybox", T0, ContainerConfig.ofImage("busybox",
        List.of("true")), s, 0, null);
  }

  @Test
  void criStatesReasonsAndTimes() {
    assertThat(PodStates.of(in(new ContainerState.Created())).state()).isEqualTo(PodContainerState.CREATED);
    PodStates.Status running = PodStates.of(in(new ContainerState.Running(7, T0)));
    assertThat(running.state()).isEqualTo(PodContainerState.RUNNING);
    assertThat(running.startedAt()).contains(T0);
    assertThat(running.finishedAt()).isEmpty();

    PodStates.Status ok = PodStates.of(in(new ContainerState.Exited(0, T0, T1, false, "")));
    assertThat(ok.state()).isEqualTo(PodContainerState.EXITED);
    assertThat(ok.reason()).isEqualTo("Completed");
    assertThat(ok.finishedAt()).contains(T1);
    assertThat(PodStates.of(in(new ContainerState.Exited(2, T0, T1, false, ""))).reason()).isEqualTo("Error");
    assertThat(PodStates.of(in(new ContainerState.Exited(137, T0, T1, true, ""))).reason()).isEqualTo("OOMKilled");

    PodStates.Status neverRan = PodStates.of(in(new ContainerState.Exited(127, Instant.EPOCH, T1, false,
        "exec: \"nope\": executable file not found")));
    assertThat(neverRan.startedAt()).isEmpty();
    assertThat(neverRan.message()).contains("executable file not found");
    assertThat(PodStates.of(in(new ContainerState.Removing())).state()).isEqualTo(PodContainerState.UNKNOWN);
  }
}
