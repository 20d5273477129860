package dev.berth.engine.build;

import dev.berth.engine.container.ContainerConfig;
import java.util.List;

/**
 * The resource limits of a build's RUN containers ({@code memory}, {@code memswap},
 * {@code cpushares}, {@code cpusetcpus}, {@code cpuperiod}, {@code cpuquota}, {@code ulimits}).
 * Zero/blank means "none", as in Docker.
 */
public record BuildResources(long memory, long memorySwap, long cpuShares, String cpusetCpus, long cpuPeriod,
    long cpuQuota, List<ContainerConfig.Ulimit> ulimits) {

  public static final BuildResources NONE = new BuildResources(0, 0, 0, "", 0, 0, List.of());

  public BuildResources {
    cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
  }
}
