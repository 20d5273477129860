package dev.berth.engine.container;

/**
 * The cgroup limits only {@code update} sets (memory, swap, CPUs, shares, cpuset-cpus and pids
 * are {@link ContainerConfig}'s; the memory reservation is {@link HostOptions}'), kept across
 * restarts. Zero (or empty) means not set, as in Docker's HostConfig.
 *
 * @param cpuPeriod CFS period in microseconds
 * @param cpuQuota CFS quota in microseconds per period
 * @param cpusetMems memory nodes, e.g. "0"
 * @param blkioWeight 10-1000
 */
public record ResourceLimits(long cpuPeriod, long cpuQuota, String cpusetMems, long blkioWeight) {
  public static final ResourceLimits NONE = new ResourceLimits(0, 0, "", 0);

  public ResourceLimits {
    cpusetMems = cpusetMems == null ? "" : cpusetMems;
  }
}
