package dev.berth.engine.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads cgroup interface files; a missing or unreadable file reads as 0 (a controller not enabled there). */
final class CgroupFiles {
  private CgroupFiles() {}

  static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** A single number; "max" (v2's "no limit") and absent files read as 0. */
  static long number(Path file) {
    String s = read(file);
    if (s.isEmpty() || s.equals("max")) {
      return 0;
    }
    try {
      return Long.parseLong(s.split("\\s+")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A flat-keyed file ("key value" per line): memory.stat, cpu.stat, cpuacct.stat. */
  static Map<String, Long> keyed(Path file) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String line : read(file).split("\n")) {
      String[] kv = line.strip().split("\\s+");
      if (kv.length == 2) {
        try {
          m.put(kv[0], Long.parseLong(kv[1]));
        } catch (NumberFormatException ignored) {
          // not a counter
        }
      }
    }
    return m;
  }
}
