package dev.berth.engine.stats;

import java.nio.file.Path;

/** The host's RAM: Docker reports it as the limit of a container without one. */
public final class HostMemory {
  private HostMemory() {}

  /** MemTotal of /proc/meminfo in bytes; 0 when unreadable. */
  public static long total() {
    // "MemTotal:       24567890 kB"
    for (String line : CgroupFiles.read(Path.of("/proc/meminfo")).split("\n")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
      }
    }
    return 0;
  }
}
