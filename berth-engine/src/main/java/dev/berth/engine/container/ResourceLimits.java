package dev.berth.engine.container;

/**
 * The cgroup limits a container has besides memory, memory-swap, CPUs, CPU shares, cpuset-cpus
 * and pids (which {@link ContainerConfig} has always held): set by {@code update}, kept across
 * restarts. Zero (or empty) means not set, as in Docker's HostConfig.
 *
 * @param memoryReservation bytes (a soft limit)
 * @param cpuPeriod CFS period in microseconds
 * @param cpuQuota CFS quota in microseconds per period
 * @param cpusetMems memory nodes, e.g. "0"
 * @param blkioWeight 10-1000
 */
public record ResourceLimits(long memoryReservation, long cpuPeriod, long cpuQuota, String cpusetMems,
    long blkioWeight) {
  public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, "", 0);

  public ResourceLimits {
    cpusetMems = cpusetMems == null ? "" : cpusetMems;
  }
}
