package dev.berth.engine.pod;

import java.util.List;
import java.util.Map;

/**
 * A container's resources (CRI {@code LinuxContainerResources}); 0 or empty = not set.
 * {@code oomScoreAdj} is honoured only where the host allows it (never below the current value
 * without CAP_SYS_RESOURCE).
 */
public record LinuxResources(long cpuPeriod, long cpuQuota, long cpuShares, long memoryLimitBytes, long oomScoreAdj,
    String cpusetCpus, String cpusetMems, List<HugepageLimit> hugepageLimits, Map<String, String> unified,
    long memorySwapLimitBytes) {
  public static final LinuxResources NONE = new LinuxResources(0, 0, 0, 0, 0, "", "", List.of(), Map.of(), 0);

  public LinuxResources {
    cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
    cpusetMems = cpusetMems == null ? "" : cpusetMems;
    hugepageLimits = hugepageLimits == null ? List.of() : List.copyOf(hugepageLimits);
    unified = unified == null ? Map.of() : Map.copyOf(unified);
  }
}
