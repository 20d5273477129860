package dev.berth.engine.volume;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local driver's options as Docker takes them ({@code -o type=tmpfs -o device=tmpfs -o
 * o=size=64m,uid=1000}, or {@code type=none,o=bind,device=/path}): what mount(2) gets. The
 * {@code o} value holds both flags (ro, nosuid, bind…) and file-system data (size=, uid=…).
 *
 * @param flags mount(2) flags
 * @param data what is left of {@code o}, passed to the file system
 */
public record LocalMountOptions(String type, String device, long flags, String data) {
  private static final Set<String> KEYS = Set.of("type", "device", "o");
  private static final Map<String, Long> FLAGS = Map.ofEntries(Map.entry("ro", 1L), Map.entry("rw", 0L),
      Map.entry("nosuid", 2L), Map.entry("suid", 0L), Map.entry("nodev", 4L), Map.entry("dev", 0L),
      Map.entry("noexec", 8L), Map.entry("exec", 0L), Map.entry("sync", 16L), Map.entry("async", 0L),
      Map.entry("noatime", 1024L), Map.entry("nodiratime", 2048L), Map.entry("bind", 4096L),
      Map.entry("rbind", 4096L | 16384L), Map.entry("relatime", 1L << 21), Map.entry("strictatime", 1L << 24),
      Map.entry("defaults", 0L));

  /** Empty when there are no options (a plain directory); 400 for unknown keys or a missing device. */
  public static java.util.Optional<LocalMountOptions> parse(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (key.equals("size")) {
        throw new BerthException.InvalidArgument("quota size requested but no quota support: the local driver's "
            + "size option needs an xfs data-root with project quotas; for a sized tmpfs use -o type=tmpfs "
            + "-o device=tmpfs -o o=size=64m");
      }
      if (!KEYS.contains(key)) {
        throw new BerthException.InvalidArgument("invalid option key: \"" + key + "\" (the local driver knows type, "
            + "device and o)");
      }
    }
    if (options.isEmpty()) {
      return java.util.Optional.empty();
    }
    String device = options.getOrDefault("device", "");
    String type = options.getOrDefault("type", "");
    if (device.isEmpty()) {
      throw new BerthException.InvalidArgument("missing required option: \"device\" (e.g. -o type=tmpfs -o "
          + "device=tmpfs, or -o type=none -o o=bind -o device=/host/path)");
    }
    long flags = 0;
    List<String> data = new ArrayList<>();
    for (String o : options.getOrDefault("o", "").split(",")) {
      if (o.isBlank()) {
        continue;
      }
      Long f = FLAGS.get(o.strip());
      if (f != null) {
        flags |= f;
      } else {
        data.add(o.strip());
      }
    }
    boolean bind = (flags & 4096L) != 0;
    if (type.isEmpty() && !bind) {
      throw new BerthException.InvalidArgument("missing required option: \"type\" (e.g. tmpfs, or none with "
          + "o=bind)");
    }
    if (bind && !device.startsWith("/")) {
      throw new BerthException.InvalidArgument("a bind volume's device must be an absolute host path, not \""
          + device + "\"");
    }
    return java.util.Optional.of(new LocalMountOptions(type.isEmpty() ? "none" : type, device, flags,
        String.join(",", data)));
  }
}
