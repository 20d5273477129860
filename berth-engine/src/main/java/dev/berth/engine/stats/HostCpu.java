package dev.berth.engine.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's CPU time from /proc/stat, as Docker's system_cpu_usage: the sum of the aggregate
 * "cpu" line's first seven fields (user … softirq; steal, guest are left out as Docker does),
 * converted from USER_HZ ticks to nanoseconds; and the number of "cpuN" lines (online CPUs).
 */
public record HostCpu(long systemUsage, int onlineCpus) {
  public static final Path PROC_STAT = Path.of("/proc/stat");

  public static HostCpu read(Path procStat) {
    try {
      return parse(Files.readString(procStat));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + procStat, e);
    }
  }

  static HostCpu parse(String procStat) {
    long ticks = 0;
    int cpus = 0;
    for (String line : procStat.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f[0].equals("cpu")) {
        for (int i = 1; i < Math.min(f.length, 8); i++) {
          ticks += Long.parseLong(f[i]);
        }
      } else if (f[0].matches("cpu\\d+")) {
        cpus++;
      }
    }
    return new HostCpu(ticks * CgroupV1Reader.NANOS_PER_TICK, cpus);
  }
}
