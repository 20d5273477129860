package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void createIsRefusedWithDockersWords() {
    assertThatThrownBy(() -> new RestartPolicy("x", 0).validated(false))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessage("invalid restart policy 'x'");
    assertThatThrownBy(() -> new RestartPolicy("always", 3).validated(false))
        .hasMessage("maximum retry count cannot be used with restart policy 'always'");
    assertThatThrownBy(() -> new RestartPolicy("on-failure", -1).validated(false))
        .hasMessage("maximum retry count cannot be negative");
    assertThatThrownBy(() -> new RestartPolicy("on-failure", 0).validated(true))
        .hasMessage("can't create 'AutoRemove' container with restart policy");
    assertThat(new RestartPolicy("", 0).validated(true)).isEqualTo(RestartPolicy.NO);
    assertThat(new RestartPolicy("on-failure", 2).validated(false).maximumRetryCount()).isEqualTo(2);
  }

  @Test
  void eachPolicyDecidesAsDockersRestartManager() {
    RestartPolicy always = new RestartPolicy("always", 0);
    RestartPolicy unlessStopped = new RestartPolicy("unless-stopped", 0);
    RestartPolicy onFailure2 = new RestartPolicy("on-failure", 2);
    assertThat(RestartPolicy.NO.restartsAfterExit(1, false, 0)).isFalse();
    assertThat(always.restartsAfterExit(0, false, 100)).isTrue();
    assertThat(always.restartsAfterExit(137, true, 0)).as("a kill or stop by hand ends it").isFalse();
    assertThat(unlessStopped.restartsAfterExit(0, false, 0)).isTrue();
    assertThat(unlessStopped.restartsAfterExit(0, true, 0)).isFalse();
    assertThat(onFailure2.restartsAfterExit(0, false, 0)).as("success is not a failure").isFalse();
    assertThat(onFailure2.restartsAfterExit(1, false, 1)).isTrue();
    assertThat(onFailure2.restartsAfterExit(1, false, 2)).as("two retries used").isFalse();
    assertThat(new RestartPolicy("on-failure", 0).restartsAfterExit(1, false, 1000)).as("0 = no limit").isTrue();
  }

  @Test
  void withTheDaemonAlwaysStartsEvenAfterAManualStopUnlessStoppedDoesNot() {
    assertThat(new RestartPolicy("always", 0).startsWithDaemon(137, true, 0)).isTrue();
    assertThat(new RestartPolicy("unless-stopped", 0).startsWithDaemon(137, true, 0)).isFalse();
    assertThat(new RestartPolicy("unless-stopped", 0).startsWithDaemon(0, false, 0)).isTrue();
    assertThat(RestartPolicy.NO.startsWithDaemon(1, false, 0)).isFalse();
  }

  @Test
  void backoffDoublesFrom100msToAMinuteAndResetsAfterTenSecondsOfRunning() {
    RestartPolicy.Backoff b = RestartPolicy.Backoff.NONE;
    long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000};
    for (long ms : expected) {
      b = b.next(Duration.ofMillis(50));
      assertThat(b.delay()).isEqualTo(Duration.ofMillis(ms));
    }
    assertThat(b.next(Duration.ofSeconds(10)).delay()).isEqualTo(Duration.ofMillis(100));
    assertThat(b.next(Duration.ofMillis(9999)).delay()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void planTakesTheRunTimeFromTheExitAndCountsRetries() {
    Container quick = exited("on-failure", 1, 3, T0, T0.plusMillis(30), 0);
    assertThat(RestartSupervisor.plan(quick, false, RestartPolicy.Backoff.NONE))
        .contains(new RestartPolicy.Backoff(Duration.ofMillis(100)));
    Container longRun = exited("always", 0, 0, T0, T0.plusSeconds(60), 5);
    assertThat(RestartSupervisor.plan(longRun, false, new RestartPolicy.Backoff(Duration.ofSeconds(30))))
        .as("ran 60 s: back to 100 ms").contains(new RestartPolicy.Backoff(Duration.ofMillis(100)));
    assertThat(RestartSupervisor.plan(exited("on-failure", 1, 3, T0, T0, 3), false, RestartPolicy.Backoff.NONE))
        .isEqualTo(Optional.empty());
    assertThat(RestartSupervisor.plan(exited("always", 0, 0, T0, T0, 0), true, RestartPolicy.Backoff.NONE))
        .isEmpty();
    Container neverRan = exited("always", 0, 127, Instant.EPOCH, T0, 0);
    assertThat(RestartSupervisor.plan(neverRan, false, RestartPolicy.Backoff.NONE)).isPresent();
  }

  private static Container exited(String policy, int max, int code, Instant started, Instant finished, int restarts) {
    ContainerConfig base = ContainerConfig.ofImage("busybox", List.of("true"));
    ContainerConfig cfg = new ContainerConfig(base.image(), null, base.cmd(), null, null, null, null, null, null, false,
        false, false, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null, null, null,
        null, null, null, null, null, new RestartPolicy(policy, max), null, null);
    return new Container("c".repeat(64), "n", "img", "busybox", T0, cfg,
        new ContainerState.Exited(code, started, finished, false, ""), restarts, null);
  }
}
