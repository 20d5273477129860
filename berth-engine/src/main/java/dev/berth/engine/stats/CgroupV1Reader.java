package dev.berth.engine.stats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * cgroup v1: each controller is a hierarchy of its own under {@code <root>/<controller>}, and the
 * container's cgroup is the same relative path below each (runc's cgroupfs driver).
 */
public record CgroupV1Reader(Path root, String relativePath) implements CgroupReader {
  /** USER_HZ: cpuacct.stat counts in these ticks (100 on every Linux ABI Docker supports). */
  static final long CLOCK_TICKS = 100;
  static final long NANOS_PER_TICK = 1_000_000_000L / CLOCK_TICKS;

  Path controller(String name) {
    Path dir = root.resolve(name);
    // Some hosts only mount the co-mounted hierarchy (cpu,cpuacct) without the symlinks.
    if (!Files.isDirectory(dir)) {
      for (String combined : List.of("cpu,cpuacct", "cpuacct,cpu")) {
        if (combined.contains(name) && Files.isDirectory(root.resolve(combined))) {
          dir = root.resolve(combined);
        }
      }
    }
    return dir.resolve(relativePath);
  }

  @Override
  public boolean exists() {
    return Files.isDirectory(controller("memory")) || Files.isDirectory(controller("pids"));
  }

  @Override
  public CgroupStats read() {
    Path cpuacct = controller("cpuacct");
    Map<String, Long> stat = CgroupFiles.keyed(cpuacct.resolve("cpuacct.stat"));
    List<Long> percpu = new ArrayList<>();
    for (String v : CgroupFiles.read(cpuacct.resolve("cpuacct.usage_percpu")).split("\\s+")) {
      if (!v.isEmpty()) {
        percpu.add(Long.parseLong(v));
      }
    }
    Map<String, Long> cpuStat = CgroupFiles.keyed(controller("cpu").resolve("cpu.stat"));
    var cpu = new CgroupStats.Cpu(CgroupFiles.number(cpuacct.resolve("cpuacct.usage")),
        stat.getOrDefault("user", 0L) * NANOS_PER_TICK, stat.getOrDefault("system", 0L) * NANOS_PER_TICK, percpu,
        new CgroupStats.Throttling(cpuStat.getOrDefault("nr_periods", 0L), cpuStat.getOrDefault("nr_throttled", 0L),
            cpuStat.getOrDefault("throttled_time", 0L)));

    Path memory = controller("memory");
    long limit = CgroupFiles.number(memory.resolve("memory.limit_in_bytes"));
    // v1 says "no limit" with a huge page-aligned number (LONG_MAX rounded down to a page).
    if (limit >= Long.MAX_VALUE / 2) {
      limit = 0;
    }
    var mem = new CgroupStats.Memory(CgroupFiles.number(memory.resolve("memory.usage_in_bytes")),
        CgroupFiles.number(memory.resolve("memory.max_usage_in_bytes")), limit,
        CgroupFiles.keyed(memory.resolve("memory.stat")));

    Path pids = controller("pids");
    var p = new CgroupStats.Pids(CgroupFiles.number(pids.resolve("pids.current")),
        CgroupFiles.number(pids.resolve("pids.max")));

    List<CgroupStats.BlkioEntry> blkio = new ArrayList<>();
    Path blk = controller("blkio");
    String bytes = CgroupFiles.read(blk.resolve("blkio.throttle.io_service_bytes_recursive"));
    if (bytes.isEmpty()) {
      bytes = CgroupFiles.read(blk.resolve("blkio.io_service_bytes_recursive"));
    }
    for (String line : bytes.split("\n")) {
      // "8:0 Read 4096"; the "Total" summary line has no device
      String[] f = line.strip().split("\\s+");
      if (f.length == 3 && f[0].contains(":")) {
        String[] dev = f[0].split(":");
        blkio.add(new CgroupStats.BlkioEntry(Integer.parseInt(dev[0]), Integer.parseInt(dev[1]), f[1],
            Long.parseLong(f[2])));
      }
    }
    return new CgroupStats(cpu, mem, p, List.copyOf(blkio));
  }
}
