package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthTest {
  private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");

  private static Health.Result result(int secondsAfterStart, int code) {
    Instant t = STARTED.plusSeconds(secondsAfterStart);
    return new Health.Result(t, t.plusMillis(20), code, code == 0 ? "ok" : "fail");
  }

  @Test
  void aPassingCheckIsHealthyAndEndsTheStreak() {
    Health h = Health.starting().after(result(1, 1), STARTED, Duration.ZERO, 3);
    assertThat(h.failingStreak()).isEqualTo(1);
    assertThat(h.status()).isEqualTo("starting");
    h = h.after(result(2, 0), STARTED, Duration.ZERO, 3);
    assertThat(h.status()).isEqualTo("healthy");
    assertThat(h.failingStreak()).isZero();
  }

  @Test
  void retriesFailuresInARowMakeItUnhealthyAndAPassHealsIt() {
    Health h = Health.starting().after(result(1, 0), STARTED, Duration.ZERO, 3);
    h = h.after(result(2, 1), STARTED, Duration.ZERO, 3);
    h = h.after(result(3, 1), STARTED, Duration.ZERO, 3);
    assertThat(h.status()).as("two of three").isEqualTo("healthy");
    h = h.after(result(4, -1), STARTED, Duration.ZERO, 3);
    assertThat(h.status()).isEqualTo("unhealthy");
    assertThat(h.failingStreak()).isEqualTo(3);
    h = h.after(result(5, 2), STARTED, Duration.ZERO, 3);
    assertThat(h.failingStreak()).isEqualTo(4);
    assertThat(h.after(result(6, 0), STARTED, Duration.ZERO, 3).status()).isEqualTo("healthy");
  }

  @Test
  void failuresWithinTheStartPeriodDoNotCountWhileStarting() {
    Duration startPeriod = Duration.ofSeconds(10);
    Health h = Health.starting();
    for (int s = 1; s <= 9; s++) {
      h = h.after(result(s, 1), STARTED, startPeriod, 1);
    }
    assertThat(h.status()).isEqualTo("starting");
    assertThat(h.failingStreak()).isZero();
    h = h.after(result(10, 1), STARTED, startPeriod, 1);
    assertThat(h.status()).as("the start period is over").isEqualTo("unhealthy");
    // Once healthy, the start period no longer shields a failure.
    Health healthy = Health.starting().after(result(1, 0), STARTED, startPeriod, 1);
    assertThat(healthy.after(result(2, 1), STARTED, startPeriod, 1).status()).isEqualTo("unhealthy");
  }

  @Test
  void theLogKeepsTheLastFiveResults() {
    Health h = Health.starting();
    for (int s = 1; s <= 7; s++) {
      h = h.after(result(s, s % 2), STARTED, Duration.ZERO, 3);
    }
    assertThat(h.log()).hasSize(5);
    assertThat(h.log().getFirst().start()).isEqualTo(STARTED.plusSeconds(3));
    assertThat(h.log().getLast().start()).isEqualTo(STARTED.plusSeconds(7));
  }

  @Test
  void outputIsCutAt4096BytesWithDockersMark() {
    byte[] big = "x".repeat(5000).getBytes(StandardCharsets.UTF_8);
    assertThat(Health.truncated(big, 5000)).hasSize(4096 + 3).endsWith("x...");
    assertThat(Health.truncated("hi\n".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("hi\n");
  }

  @Test
  void theContainersCheckTakesTheImagesFieldsItLeavesUnset() {
    Healthcheck image = new Healthcheck(List.of("CMD", "true"), 5_000_000_000L, 0, 0, 0, 4);
    Healthcheck merged = Healthcheck.merge(new Healthcheck(List.of(), 1_000_000_000L, 0, 0, 0, 0), image);
    assertThat(merged.test()).containsExactly("CMD", "true");
    assertThat(merged.intervalOrDefault()).isEqualTo(Duration.ofSeconds(1));
    assertThat(merged.retriesOrDefault()).isEqualTo(4);
    assertThat(merged.timeoutOrDefault()).as("Docker's default").isEqualTo(Duration.ofSeconds(30));
    assertThat(Healthcheck.merge(new Healthcheck(List.of("NONE"), 0, 0, 0, 0, 0), image).disabled()).isTrue();
    assertThat(new Healthcheck(List.of("CMD-SHELL", "test -f /x"), 0, 0, 0, 0, 0).command())
        .containsExactly("/bin/sh", "-c", "test -f /x");
    assertThat(ContainerExecs.goDuration(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(ContainerExecs.goDuration(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(ContainerExecs.goDuration(Duration.ofSeconds(90))).isEqualTo("1m30s");
  }
}
