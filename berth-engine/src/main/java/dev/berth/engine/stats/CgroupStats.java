package dev.berth.engine.stats;

import java.util.List;
import java.util.Map;

/**
 * One reading of a container's cgroup, in Docker's units: nanoseconds for CPU time, bytes for
 * memory and I/O. A limit of 0 means "no limit".
 */
public record CgroupStats(Cpu cpu, Memory memory, Pids pids, List<BlkioEntry> blkio) {

  /**
   * @param percpu per-CPU usage (v1 only; v2 has no such file, so empty)
   */
  public record Cpu(long totalUsage, long userUsage, long kernelUsage, List<Long> percpu, Throttling throttling) {}

  public record Throttling(long periods, long throttledPeriods, long throttledTime) {}

  /**
   * @param stats the cgroup's memory.stat as is (v1 and v2 keys differ; clients know both)
   */
  public record Memory(long usage, long maxUsage, long limit, Map<String, Long> stats) {}

  public record Pids(long current, long limit) {}

  /** One line of Docker's io_service_bytes_recursive: {@code op} is Read or Write. */
  public record BlkioEntry(int major, int minor, String op, long value) {}
}
