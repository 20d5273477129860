package dev.berth.engine.volume;

import dev.berth.engine.BerthException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a container's -v strings, --mount entries, --tmpfs map and its image's VOLUMEs into the
 * mounts it gets, with Docker's rules and error messages. Pure: nothing is made here, so every
 * mistake is reported before anything exists.
 */
public final class MountPlanner {
  private static final Set<String> PROPAGATIONS = Set.of("shared", "rshared", "slave", "rslave", "private", "rprivate");
  private static final Set<String> CONSISTENCIES = Set.of("consistent", "cached", "delegated");
  /** Flags a tmpfs mount takes, paired with their opposite where the later one wins. */
  private static final Map<String, String> TMPFS_FLAGS = Map.ofEntries(Map.entry("ro", "rw"), Map.entry("rw", "ro"),
      Map.entry("exec", "noexec"), Map.entry("noexec", "exec"), Map.entry("suid", "nosuid"),
      Map.entry("nosuid", "suid"), Map.entry("dev", "nodev"), Map.entry("nodev", "dev"), Map.entry("sync", "async"),
      Map.entry("async", "sync"), Map.entry("atime", "noatime"), Map.entry("noatime", "atime"),
      Map.entry("diratime", "nodiratime"), Map.entry("nodiratime", "diratime"), Map.entry("relatime", "norelatime"),
      Map.entry("norelatime", "relatime"), Map.entry("strictatime", "nostrictatime"),
      Map.entry("nostrictatime", "strictatime"), Map.entry("dirsync", "dirsync"));
  private static final Set<String> TMPFS_KEYS = Set.of("size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol",
      "huge");
  /** Docker's defaults for a tmpfs: the user's options come after and win. */
  static final List<String> TMPFS_DEFAULTS = List.of("noexec", "nosuid", "nodev");

  private MountPlanner() {}

  /**
   * One mount to set up: the mount point (a volume's name is empty for an anonymous one, its
   * source is filled in when the volume exists), and what is needed to make its source.
   *
   * @param createSource a -v bind whose missing host directory is created (--mount refuses instead)
   */
  public record Planned(MountPoint point, boolean createSource, Map<String, String> volumeLabels,
      String volumeDriver, Map<String, String> volumeOptions) {}

  /** The mounts, parents before children; 400 for any mistake in any of them. */
  public static List<Planned> plan(List<String> binds, List<MountRequest> mounts, Map<String, String> tmpfs,
      Collection<String> imageVolumes) {
    return plan(binds, mounts, tmpfs, List.of(), imageVolumes);
  }

  /**
   * As above, with the mounts of --volumes-from containers ({@link #inherit}): the container's
   * own mounts win over inherited ones on the same path, and both over the image's VOLUMEs.
   */
  public static List<Planned> plan(List<String> binds, List<MountRequest> mounts, Map<String, String> tmpfs,
      List<MountPoint> inherited, Collection<String> imageVolumes) {
    List<Planned> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : binds) {
      add(out, seen, parseBind(raw));
    }
    for (MountRequest m : mounts) {
      add(out, seen, fromRequest(m));
    }
    for (Map.Entry<String, String> t : tmpfs.entrySet()) {
      add(out, seen, tmpfs(t.getKey(), t.getValue()));
    }
    for (MountPoint m : inherited) {
      if (seen.add(m.destination())) {
        out.add(new Planned(m, false, Map.of(), "", Map.of()));
      }
    }
    for (String path : imageVolumes) {
      String dest = destination(path, "volume", path);
      if (!seen.contains(dest) && !dest.equals("/")) {
        seen.add(dest);
        out.add(anonymous(dest, ""));
      }
    }
    // Mount parents before their children (Docker sorts by the number of path parts).
    out.sort(Comparator.comparingInt(p -> Path.of(p.point().destination()).getNameCount()));
    return List.copyOf(out);
  }

  private static void add(List<Planned> out, Set<String> seen, Planned p) {
    if (!seen.add(p.point().destination())) {
      throw new BerthException.InvalidArgument("Duplicate mount point: " + p.point().destination());
    }
    out.add(p);
  }

  /** VolumeOptions.Subpath: relative, inside the volume ("a/b"; "" = the volume's root). */
  static String subpath(String raw, String type) {
    if (raw.isEmpty()) {
      return "";
    }
    Path p = Path.of(raw).normalize();
    if (p.isAbsolute() || p.toString().isEmpty() || p.startsWith("..")) {
      throw invalidMount(type, "subpath must be a relative path within the volume: " + raw);
    }
    return p.toString();
  }

  /** Docker's -v / HostConfig.Binds syntax: {@code [SOURCE:]DEST[:MODE]}, SOURCE a name or an absolute path. */
  public static Planned parseBind(String raw) {
    String spec = raw == null ? "" : raw;
    String[] parts = spec.split(":", -1);
    if (spec.isEmpty() || parts[0].isEmpty()) {
      throw invalidSpec(spec, "");
    }
    String source = "";
    String target;
    String mode = "";
    switch (parts.length) {
      case 1 -> target = parts[0];
      case 2 -> {
        if (validMode(parts[1])) {
          // "/data:ro" names no source: a mode on an anonymous volume is not a volume spec
          throw invalidSpec(spec, ": a mode needs a source (NAME:/path:ro or /host/path:/path:ro)");
        }
        source = parts[0];
        target = parts[1];
      }
      case 3 -> {
        source = parts[0];
        target = parts[1];
        mode = parts[2];
      }
      default -> throw invalidSpec(spec, ": expected [SOURCE:]DESTINATION[:MODE]");
    }
    if (!validMode(mode)) {
      throw new BerthException.InvalidArgument("invalid mode: " + mode + " (in '" + spec + "'; use ro or rw, "
          + "z or Z, nocopy, or a propagation such as rshared)");
    }
    boolean bind = source.startsWith("/");
    String type = bind ? "bind" : "volume";
    String dest;
    try {
      dest = destination(target, type, spec);
    } catch (BerthException.InvalidArgument e) {
      throw invalidSpec(spec, ": " + e.getMessage());
    }
    List<String> tokens = mode.isEmpty() ? List.of() : List.of(mode.split(","));
    boolean rw = !tokens.contains("ro");
    String propagation = tokens.stream().filter(PROPAGATIONS::contains).findFirst().orElse("");
    if (bind) {
      String src = Path.of(source).normalize().toString();
      return new Planned(new MountPoint(MountType.BIND, "", src, dest, rw, mode,
          propagation.isEmpty() ? "rprivate" : propagation, false, List.of(), false, true), true, Map.of(), "", Map.of());
    }
    if (!propagation.isEmpty()) {
      throw invalidSpec(spec, ": propagation (" + propagation + ") applies to bind mounts only");
    }
    boolean copy = !tokens.contains("nocopy");
    if (source.isEmpty()) {
      return anonymous(dest, mode, rw, copy);
    }
    try {
      VolumeService.validateName(source);
    } catch (BerthException.InvalidArgument e) {
      throw invalidSpec(spec, ": " + e.getMessage());
    }
    return new Planned(new MountPoint(MountType.VOLUME, source, "", dest, rw, mode.isEmpty() ? "z" : mode, "", copy,
        List.of(), false, true), false, Map.of(), "", Map.of());
  }

  /**
   * The mounts one --volumes-from entry brings: the source container's volumes and binds (not
   * its tmpfs), read-only or read-write as {@code spec}'s ":ro"/":rw" says, else as they were.
   *
   * @param spec "container[:ro|:rw]"
   * @param source the mount points of that container
   */
  public static List<MountPoint> inherit(String spec, List<MountPoint> source) {
    int colon = spec.lastIndexOf(':');
    String mode = colon < 0 ? "" : spec.substring(colon + 1);
    if (!mode.isEmpty() && !mode.equals("ro") && !mode.equals("rw")) {
      throw new BerthException.InvalidArgument("invalid mode: " + mode + " (in --volumes-from " + spec
          + "; use ro or rw)");
    }
    List<MountPoint> out = new ArrayList<>();
    for (MountPoint m : source) {
      if (m.type() == MountType.TMPFS) {
        continue;
      }
      boolean rw = mode.isEmpty() ? m.rw() : mode.equals("rw");
      out.add(new MountPoint(m.type(), m.name(), m.source(), m.destination(), rw, mode.isEmpty() ? m.mode() : mode,
          m.propagation(), m.copyUp(), m.tmpfsOptions(), m.anonymous(), m.listed()));
    }
    return out;
  }

  /** The container named by a --volumes-from entry. */
  public static String volumesFromContainer(String spec) {
    int colon = spec.lastIndexOf(':');
    return colon < 0 ? spec : spec.substring(0, colon);
  }

  /** One HostConfig.Mounts entry (--mount), checked as Docker checks it. */
  public static Planned fromRequest(MountRequest m) {
    if (m.type() == null) {
      throw new BerthException.InvalidArgument("invalid mount config: mount type is required (bind, volume or tmpfs)");
    }
    String type = m.type().apiName();
    if (m.target().isEmpty()) {
      throw invalidMount(type, "field Target must not be empty");
    }
    String dest = destinationFor(m.target(), type);
    switch (m.type()) {
      case BIND -> {
        if (m.source().isEmpty()) {
          throw invalidMount(type, "field Source must not be empty");
        }
        if (!m.source().startsWith("/")) {
          throw invalidMount(type, "invalid mount path: '" + m.source() + "' mount path must be absolute");
        }
        if (!m.propagation().isEmpty() && !PROPAGATIONS.contains(m.propagation())) {
          throw invalidMount(type, "invalid propagation mode: " + m.propagation());
        }
        if (m.noCopy() || !m.volumeLabels().isEmpty() || !m.volumeOptions().isEmpty()) {
          throw invalidMount(type, "field VolumeOptions must not be specified");
        }
        if (m.readOnlyForceRecursive() && !m.readOnly()) {
          throw invalidMount(type, "option ReadOnlyForceRecursive requires ReadOnly");
        }
        if (m.readOnlyForceRecursive() && !m.propagation().isEmpty() && !m.propagation().equals("rprivate")) {
          throw invalidMount(type, "option ReadOnlyForceRecursive requires BindOptions.Propagation to be 'rprivate'");
        }
        return new Planned(new MountPoint(MountType.BIND, "", Path.of(m.source()).normalize().toString(), dest,
            !m.readOnly(), "", m.propagation().isEmpty() ? "rprivate" : m.propagation(), false, List.of(), false, true,
            "", m.readOnlyForceRecursive()), false, Map.of(), "", Map.of());
      }
      case VOLUME -> {
        if (!m.propagation().isEmpty()) {
          throw invalidMount(type, "field BindOptions must not be specified");
        }
        String subpath = subpath(m.volumeSubpath(), type);
        if (m.source().isEmpty()) {
          if (!subpath.isEmpty()) {
            throw invalidMount(type, "VolumeOptions.Subpath needs a named volume (an anonymous one starts empty)");
          }
          return new Planned(new MountPoint(MountType.VOLUME, "", "", dest, !m.readOnly(), "", "", !m.noCopy(),
              List.of(), true, true), false, m.volumeLabels(), m.volumeDriver(), m.volumeOptions());
        }
        try {
          VolumeService.validateName(m.source());
        } catch (BerthException.InvalidArgument e) {
          throw invalidMount(type, e.getMessage());
        }
        // a subpath of a volume is never filled from the image: it is a directory the volume has
        return new Planned(new MountPoint(MountType.VOLUME, m.source(), "", dest, !m.readOnly(), "", "",
            !m.noCopy() && subpath.isEmpty(), List.of(), false, true, subpath), false, m.volumeLabels(),
            m.volumeDriver(), m.volumeOptions());
      }
      case TMPFS -> {
        if (!m.source().isEmpty()) {
          throw invalidMount(type, "field Source must not be specified");
        }
        if (m.tmpfsSizeBytes() < 0) {
          throw invalidMount(type, "invalid tmpfs size: " + m.tmpfsSizeBytes());
        }
        List<String> opts = new ArrayList<>();
        if (m.tmpfsSizeBytes() > 0) {
          opts.add("size=" + m.tmpfsSizeBytes());
        }
        if (m.tmpfsMode() != 0) {
          opts.add("mode=" + Integer.toOctalString(m.tmpfsMode()));
        }
        if (m.readOnly()) {
          opts.add("ro");
        }
        return new Planned(new MountPoint(MountType.TMPFS, "", "", dest, !m.readOnly(), "", "", false,
            mergeTmpfs(opts, dest), false, true), false, Map.of(), "", Map.of());
      }
      default -> throw new IllegalStateException(type);
    }
  }

  /** One --tmpfs / HostConfig.Tmpfs entry: a path and comma-separated options (size=64m,mode=1770…). */
  public static Planned tmpfs(String path, String options) {
    String dest = destinationFor(path, "tmpfs");
    List<String> opts = options == null || options.isBlank() ? List.of() : List.of(options.split(","));
    List<String> merged = mergeTmpfs(opts, dest);
    return new Planned(new MountPoint(MountType.TMPFS, "", "", dest, !merged.contains("ro"), "", "", false, merged,
        false, false), false, Map.of(), "", Map.of());
  }

  /** Docker's defaults (noexec,nosuid,nodev) then the user's; of a flag and its opposite the later wins. */
  static List<String> mergeTmpfs(List<String> user, String dest) {
    Map<String, String> byKey = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(TMPFS_DEFAULTS);
    all.addAll(user);
    for (String raw : all) {
      String o = raw.strip();
      if (o.isEmpty()) {
        continue;
      }
      int eq = o.indexOf('=');
      if (eq > 0) {
        String key = o.substring(0, eq);
        if (!TMPFS_KEYS.contains(key)) {
          throw new BerthException.InvalidArgument("invalid tmpfs option \"" + o + "\" for " + dest + " (known: "
              + String.join(", ", new java.util.TreeSet<>(TMPFS_KEYS)) + " and mount flags such as exec, ro)");
        }
        byKey.put(key, o);
      } else if (TMPFS_FLAGS.containsKey(o)) {
        byKey.remove(TMPFS_FLAGS.get(o));
        byKey.put(o, o);
      } else {
        throw new BerthException.InvalidArgument("invalid tmpfs option \"" + o + "\" for " + dest + " (known flags: "
            + String.join(", ", new java.util.TreeSet<>(TMPFS_FLAGS.keySet())) + "; and size=, mode=, uid=, gid=)");
      }
    }
    return List.copyOf(byKey.values());
  }

  private static Planned anonymous(String dest, String mode) {
    return anonymous(dest, mode, true, true);
  }

  private static Planned anonymous(String dest, String mode, boolean rw, boolean copy) {
    return new Planned(new MountPoint(MountType.VOLUME, "", "", dest, rw, mode, "", copy, List.of(), true, true),
        false, Map.of(), "", Map.of());
  }

  /** Docker's mode: comma-separated, at most one each of ro|rw, z|Z, nocopy, a propagation, a consistency. */
  static boolean validMode(String mode) {
    if (mode.isEmpty()) {
      return true;
    }
    int rw = 0;
    int label = 0;
    int copy = 0;
    int propagation = 0;
    int consistency = 0;
    for (String t : mode.split(",", -1)) {
      switch (t) {
        case "ro", "rw" -> rw++;
        case "z", "Z" -> label++;
        case "nocopy" -> copy++;
        default -> {
          if (PROPAGATIONS.contains(t)) {
            propagation++;
          } else if (CONSISTENCIES.contains(t)) {
            consistency++;
          } else {
            return false;
          }
        }
      }
    }
    return rw <= 1 && label <= 1 && copy <= 1 && propagation <= 1 && consistency <= 1;
  }

  private static String destinationFor(String target, String type) {
    try {
      return destination(target, type, target);
    } catch (BerthException.InvalidArgument e) {
      throw invalidMount(type, e.getMessage());
    }
  }

  /** An absolute, cleaned container path other than "/". */
  private static String destination(String target, String type, String spec) {
    if (target.isEmpty()) {
      throw new BerthException.InvalidArgument("field Target must not be empty");
    }
    if (!target.startsWith("/")) {
      throw new BerthException.InvalidArgument("invalid mount path: '" + target + "' mount path must be absolute");
    }
    String clean = Path.of(target).normalize().toString();
    if (clean.equals("/")) {
      throw new BerthException.InvalidArgument("invalid specification: destination can't be '/'");
    }
    return clean;
  }

  private static BerthException.InvalidArgument invalidSpec(String spec, String why) {
    return new BerthException.InvalidArgument("invalid volume specification: '" + spec + "'" + why);
  }

  private static BerthException.InvalidArgument invalidMount(String type, String why) {
    return new BerthException.InvalidArgument("invalid mount config for type \"" + type + "\": " + why);
  }
}
