package dev.berth.engine.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rlimits of this process as /proc/self/limits shows them. Children cannot get a hard limit
 * above ours without CAP_SYS_RESOURCE, so specs clamp to these values.
 */
public record ProcLimits(Map<String, Limit> byName) {
  /** {@code UNLIMITED} stands for "unlimited" (RLIM_INFINITY). */
  public record Limit(long soft, long hard) {
    public static final long UNLIMITED = Long.MAX_VALUE;
  }

  // "Max open files            20000                20000                files"
  private static final Pattern LINE = Pattern.compile("^(\\S.*?)\\s{2,}(\\S+)\\s+(\\S+)(\\s+\\S+)?\\s*$");

  public ProcLimits {
    byName = Map.copyOf(byName);
  }

  public static ProcLimits ofSelf() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/self/limits")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/limits", e);
    }
  }

  public static ProcLimits parse(List<String> lines) {
    Map<String, Limit> limits = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (!m.matches() || line.startsWith("Limit ")) {
        continue;
      }
      limits.put(m.group(1).trim(), new Limit(value(m.group(2)), value(m.group(3))));
    }
    return new ProcLimits(limits);
  }

  /** The hard limit on open files (RLIMIT_NOFILE), if the kernel listed it. */
  public OptionalLong nofileHard() {
    Limit limit = byName.get("Max open files");
    return limit == null ? OptionalLong.empty() : OptionalLong.of(limit.hard());
  }

  private static long value(String text) {
    return text.equals("unlimited") ? Limit.UNLIMITED : Long.parseLong(text);
  }
}
