package dev.berth.engine.stats;

/** The docker CLI's CPU %: container CPU time over host CPU time between two readings, times online CPUs. */
public final class CpuPercent {
  private CpuPercent() {}

  /**
   * @param prevTotal the container's cpu_usage.total_usage at the earlier reading (ns)
   * @param prevSystem system_cpu_usage at the earlier reading (ns)
   * @return 0 when either delta is not positive (first reading, or counters reset)
   */
  public static double of(long prevTotal, long prevSystem, long total, long system, int onlineCpus) {
    double cpuDelta = (double) total - prevTotal;
    double systemDelta = (double) system - prevSystem;
    if (cpuDelta <= 0 || systemDelta <= 0) {
      return 0;
    }
    return cpuDelta / systemDelta * onlineCpus * 100.0;
  }
}
