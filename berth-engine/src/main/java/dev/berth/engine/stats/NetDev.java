package dev.berth.engine.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interface counters of a network namespace, from {@code /proc/<pid>/net/dev} of a process in it
 * (the kernel's own table: two header lines, then "name: 8 receive and 8 transmit counters").
 * Loopback is left out, as Docker does.
 */
public final class NetDev {
  /** What {@code docker stats} reports per interface. */
  public record Counters(long rxBytes, long rxPackets, long rxErrors, long rxDropped,
      long txBytes, long txPackets, long txErrors, long txDropped) {}

  private NetDev() {}

  /** The counters of {@code pid}'s namespace; empty when the process is gone or unreadable. */
  public static Map<String, Counters> ofProcess(int pid) {
    try {
      return parse(Files.readAllLines(Path.of("/proc", Integer.toString(pid), "net", "dev")));
    } catch (IOException | RuntimeException gone) {
      return Map.of();
    }
  }

  static Map<String, Counters> parse(List<String> lines) {
    Map<String, Counters> out = new LinkedHashMap<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the two header lines
      }
      String name = line.substring(0, colon).strip();
      String[] f = line.substring(colon + 1).strip().split("\\s+");
      if (name.equals("lo") || f.length < 16) {
        continue;
      }
      out.put(name, new Counters(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
          Long.parseLong(f[3]), Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]),
          Long.parseLong(f[11])));
    }
    return out;
  }
}
