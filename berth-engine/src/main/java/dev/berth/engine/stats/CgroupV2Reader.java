package dev.berth.engine.stats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** cgroup v2: one directory with every controller's files; CPU times in microseconds. */
public record CgroupV2Reader(Path dir) implements CgroupReader {

  @Override
  public boolean exists() {
    return Files.isDirectory(dir);
  }

  @Override
  public CgroupStats read() {
    Map<String, Long> cpuStat = CgroupFiles.keyed(dir.resolve("cpu.stat"));
    var cpu = new CgroupStats.Cpu(cpuStat.getOrDefault("usage_usec", 0L) * 1000,
        cpuStat.getOrDefault("user_usec", 0L) * 1000, cpuStat.getOrDefault("system_usec", 0L) * 1000, List.of(),
        new CgroupStats.Throttling(cpuStat.getOrDefault("nr_periods", 0L), cpuStat.getOrDefault("nr_throttled", 0L),
            cpuStat.getOrDefault("throttled_usec", 0L) * 1000));
    var mem = new CgroupStats.Memory(CgroupFiles.number(dir.resolve("memory.current")),
        CgroupFiles.number(dir.resolve("memory.peak")), CgroupFiles.number(dir.resolve("memory.max")),
        CgroupFiles.keyed(dir.resolve("memory.stat")));
    var pids = new CgroupStats.Pids(CgroupFiles.number(dir.resolve("pids.current")),
        CgroupFiles.number(dir.resolve("pids.max")));
    List<CgroupStats.BlkioEntry> blkio = new ArrayList<>();
    for (String line : CgroupFiles.read(dir.resolve("io.stat")).split("\n")) {
      // "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0"
      String[] f = line.strip().split("\\s+");
      if (f.length < 2 || !f[0].contains(":")) {
        continue;
      }
      String[] dev = f[0].split(":");
      for (String kv : f) {
        String[] p = kv.split("=");
        if (p.length == 2 && (p[0].equals("rbytes") || p[0].equals("wbytes"))) {
          blkio.add(new CgroupStats.BlkioEntry(Integer.parseInt(dev[0]), Integer.parseInt(dev[1]),
              p[0].equals("rbytes") ? "read" : "write", Long.parseLong(p[1])));
        }
      }
    }
    return new CgroupStats(cpu, mem, pids, List.copyOf(blkio));
  }
}
