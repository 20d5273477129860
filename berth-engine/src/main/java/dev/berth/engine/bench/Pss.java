package dev.berth.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.OptionalLong;

/**
 * Proportional set size: a process's private pages plus its share of pages it shares, read from
 * {@code /proc/PID/smaps_rollup} (the kernel's sum over all its mappings). Summed over the
 * processes an instance adds, it is what that instance costs the host's memory.
 */
public final class Pss {
  private Pss() {}

  /** The {@code Pss:} line of an smaps_rollup text, in bytes (the kernel writes kB). */
  public static OptionalLong parseRollup(String smapsRollup) {
    for (String line : smapsRollup.split("\n")) {
      if (line.startsWith("Pss:")) {
        String[] words = line.substring(4).trim().split("\\s+");
        if (words.length != 2 || !words[1].equals("kB")) {
          throw new IllegalArgumentException("unexpected Pss line in smaps_rollup: " + line);
        }
        return OptionalLong.of(Long.parseLong(words[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }

  /** One process's PSS in bytes; 0 when it has gone (or is a kernel thread without mappings). */
  public static long of(long pid) {
    try {
      return parseRollup(Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup"))).orElse(0);
    } catch (IOException gone) {
      return 0;
    }
  }

  public static long sum(Collection<Long> pids) {
    return pids.stream().mapToLong(Pss::of).sum();
  }
}
