package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** update's checks (dockerd's rules and words), the merged config, and what goes to runc update. */
class ContainerUpdaterTest {
  private static final ContainerUpdater.Host HOST = new ContainerUpdater.Host(2, "0-1", "0", false);

  private static ContainerUpdate update(Long memory, Long swap, Long nanoCpus, Long cpuQuota) {
    return new ContainerUpdate(memory, swap, null, null, nanoCpus, null, null, cpuQuota, null, null, null, null, null);
  }

  private static Container container(ContainerConfig cfg) {
    return new Container("c".repeat(64), "c1", "sha256:x", "busybox", Instant.EPOCH, cfg, new ContainerState.Created(), 0, null);
  }

  @Test
  void theUpdateAloneIsCheckedWithDockerdsWords() {
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> ContainerUpdater.checked(update(4L << 20, null, null, null), HOST, warnings))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessage("Minimum memory limit allowed is 6MB");
    assertThatThrownBy(() -> ContainerUpdater.checked(update(null, null, 3_000_000_000L, null), HOST, warnings))
        .hasMessage("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
    assertThatThrownBy(() -> ContainerUpdater.checked(new ContainerUpdate(null, null, null, null, null, null, null, null,
        "0-7", null, null, null, null), HOST, warnings))
        .hasMessage("Requested CPUs are not available - requested 0-7, available: 0-1");
    ContainerUpdate blkio = ContainerUpdater.checked(new ContainerUpdate(null, null, null, 10L << 20, null, null, null,
        null, null, null, null, 300L, null), HOST, warnings);
    assertThat(blkio.blkioWeight()).isNull();
    assertThat(warnings).containsExactly(ContainerUpdater.KERNEL_MEMORY_WARNING, ContainerUpdater.NO_BLKIO_WEIGHT_WARNING);
  }

  @Test
  void memoryAboveTheSwapLimitAndQuotaAfterNanoCpusAreConflicts() {
    Container unlimited = container(ContainerConfig.ofImage("busybox", List.of("sh")));
    assertThatThrownBy(() -> ContainerUpdater.merged(unlimited, update(100L << 20, null, null, null)))
        .isInstanceOf(BerthException.Conflict.class)
        .hasMessageEndingWith("Memory limit should be smaller than already set memoryswap limit, update the memoryswap"
            + " at the same time");
    ContainerConfig both = ContainerUpdater.merged(unlimited, update(100L << 20, 200L << 20, 500_000_000L, null));
    assertThat(both.memory()).isEqualTo(100L << 20);
    assertThat(both.memorySwap()).isEqualTo(200L << 20);
    assertThat(both.nanoCpus()).isEqualTo(500_000_000L);
    assertThatThrownBy(() -> ContainerUpdater.merged(container(both), update(null, null, null, 50_000L)))
        .hasMessageEndingWith("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
    // below the swap limit the memory alone may change; Docker's default swap (twice the memory) counts
    ContainerConfig smaller = ContainerUpdater.merged(container(both), update(150L << 20, null, null, null));
    assertThat(smaller.memory()).isEqualTo(150L << 20);
    assertThat(smaller.memorySwap()).isEqualTo(200L << 20);
  }

  @Test
  void onlyWhatChangedGoesToTheRuntime() {
    ContainerUpdate u = new ContainerUpdate(null, null, null, null, 500_000_000L, 512L, null, null, null, null, 40L,
        null, null);
    Resources r = ContainerUpdater.liveResources(u, ContainerConfig.ofImage("busybox", List.of("sh")));
    assertThat(r.memory()).isNull();
    assertThat(r.cpu()).isEqualTo(new Resources.Cpu(512L, 50_000L, 100_000L, null, null));
    assertThat(r.pids()).isEqualTo(new Resources.Pids(40));
    assertThat(ContainerUpdater.liveResources(new ContainerUpdate(null, null, null, null, null, null, null, null, null,
        null, null, null, RestartPolicy.validated("always", 0)), ContainerConfig.ofImage("b", List.of()))).isNull();
  }

  @Test
  void restartPoliciesAreCheckedWithDockerdsWords() {
    assertThat(RestartPolicy.validated("on-failure", 3)).isEqualTo(new RestartPolicy("on-failure", 3));
    assertThatThrownBy(() -> RestartPolicy.validated("sometimes", 0)).hasMessage("invalid restart policy 'sometimes'");
    assertThatThrownBy(() -> RestartPolicy.validated("always", 2))
        .hasMessage("maximum retry count cannot be used with restart policy 'always'");
  }
}
