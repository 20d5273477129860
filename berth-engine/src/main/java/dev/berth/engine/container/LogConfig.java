package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's log driver and {@code --log-opt}s with Docker's json-file meaning: the log rotates
 * when it reaches {@code maxSize} bytes and at most {@code maxFile} files are kept (the current one
 * included). The drivers are json-file, local (the same files; its defaults 20 MB × 5 files) and
 * none (nothing can be read back: {@code logs} answers as Docker's).
 *
 * @param maxSize bytes per file, or -1 for no limit (Docker's default)
 * @param maxFile files kept, at least 1 (Docker's default 1: the log starts over when full)
 * @param options the options as given, shown in inspect's {@code HostConfig.LogConfig.Config}
 * @param driver "json-file", "local" or "none"
 */
public record LogConfig(long maxSize, int maxFile, Map<String, String> options, String driver) {
  public static final LogConfig DEFAULT = new LogConfig(-1, 1, Map.of());

  /** The drivers dockerd has that Berth does not: refused with Berth's reason rather than dockerd's "not registered". */
  private static final Set<String> DOCKER_ONLY = Set.of("syslog", "journald", "gelf", "fluentd", "awslogs", "splunk",
      "etwlogs", "gcplogs", "logentries");

  /** json-file's options; those besides max-size and max-file only shape json-file's own lines, so they change nothing here. */
  private static final Set<String> KNOWN =
      Set.of("max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag");

  /** The local driver's options (its files are kept uncompressed here, whatever compress says). */
  private static final Set<String> LOCAL_KNOWN = Set.of("max-size", "max-file", "compress");

  // go-units' FromHumanSize, which json-file uses: decimal units, "10k" = 10000 bytes.
  private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

  public LogConfig {
    // Sorted, as Docker (a Go map) shows them.
    options = Collections.unmodifiableMap(new TreeMap<>(options == null ? Map.of() : options));
    if (maxFile < 1) {
      maxFile = 1;
    }
    driver = driver == null || driver.isEmpty() ? "json-file" : driver;
  }

  public LogConfig(long maxSize, int maxFile, Map<String, String> options) {
    this(maxSize, maxFile, options, "json-file");
  }

  /**
   * The option naming where conmon writes the log instead of the container's own {@code ctr.log}:
   * set only by the engine (a pod container's CRI LogPath), never accepted from a Docker client.
   */
  public static final String PATH_OPTION = "dev.berth.log-path";

  /** The log file named by {@link #PATH_OPTION}, if any. */
  public java.util.Optional<java.nio.file.Path> path() {
    String p = options.get(PATH_OPTION);
    return p == null || p.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(java.nio.file.Path.of(p));
  }

  /** Whether {@code logs} can read this container's output back (not with the none driver). */
  public boolean readable() {
    return !driver.equals("none");
  }

  /**
   * Checks {@code --log-opt}s as Docker's json-file driver does, with its messages.
   *
   * @param type the log driver's name; empty means the default (json-file)
   * @throws BerthException.InvalidArgument naming the option that is wrong
   */
  public static LogConfig parse(String type, Map<String, String> options) {
    String driver = type == null || type.isEmpty() ? "json-file" : type;
    if (DOCKER_ONLY.contains(driver)) {
      throw new BerthException.InvalidArgument(
          "log driver \"" + type + "\" is not supported: Berth writes logs as json-file (the default) or local, "
              + "or none; remove --log-driver or use one of those");
    }
    if (!driver.equals("json-file") && !driver.equals("local") && !driver.equals("none")) {
      throw new BerthException.InvalidArgument("error looking up logging plugin " + type + ": plugin \"" + type
          + "\" not found");
    }
    Map<String, String> opts = new TreeMap<>(options == null ? Map.of() : options);
    if (driver.equals("none")) {
      return new LogConfig(-1, 1, opts, driver); // dockerd checks no options for none
    }
    for (String key : opts.keySet()) {
      if (driver.equals("json-file") ? !KNOWN.contains(key) : !LOCAL_KNOWN.contains(key)) {
        throw new BerthException.InvalidArgument("unknown log opt '" + key + "' for " + driver + " log driver");
      }
    }
    boolean local = driver.equals("local");
    long maxSize = local ? 20L * 1024 * 1024 : -1;
    String size = opts.get("max-size");
    if (size != null) {
      maxSize = size(size);
      if (maxSize <= 0) {
        throw new BerthException.InvalidArgument("invalid --log-opt max-size=" + size + ": max-size must be a positive number");
      }
    }
    int maxFile = local ? 5 : 1;
    String files = opts.get("max-file");
    if (files != null) {
      try {
        maxFile = Integer.parseInt(files);
      } catch (NumberFormatException e) {
        throw new BerthException.InvalidArgument(
            "invalid --log-opt max-file=" + files + ": max-file must be a whole number of files (at least 1)");
      }
      if (maxFile < 1) {
        throw new BerthException.InvalidArgument("invalid --log-opt max-file=" + files + ": max-file cannot be less than 1");
      }
    }
    String compress = opts.get("compress");
    if (compress != null && !compress.equalsIgnoreCase("false") && !local) {
      throw new BerthException.InvalidArgument(
          "--log-opt compress=" + compress + " is not supported by Berth: rotated logs are kept uncompressed");
    }
    return new LogConfig(maxSize, maxFile, opts, driver);
  }

  /** Whether old files are kept when the log reaches max-size (more than one file). */
  public boolean rotates() {
    return maxSize > 0 && maxFile > 1;
  }

  /**
   * The limit conmon itself enforces (its {@code --log-size-max}), or -1 for none. With one file
   * that is exactly Docker's behaviour (the log starts over when full). With rotation none: berthd
   * rotates, and conmon's own limit would race it (see {@link LogRotation}).
   */
  public long conmonSizeMax() {
    return maxSize > 0 && !rotates() ? maxSize : -1;
  }

  /** A size as go-units parses it ("10k", "1.5m", "20MB"). */
  static long size(String s) {
    Matcher m = SIZE.matcher(s.strip());
    if (!m.matches()) {
      throw new BerthException.InvalidArgument(
          "invalid --log-opt max-size=" + s + ": invalid size: '" + s + "' (use a number with an optional unit k, m or g, such as 10m)");
    }
    long unit =
        m.group(2) == null
            ? 1
            : switch (m.group(2).toLowerCase(Locale.ROOT)) {
              case "k" -> 1_000L;
              case "m" -> 1_000_000L;
              case "g" -> 1_000_000_000L;
              case "t" -> 1_000_000_000_000L;
              default -> 1_000_000_000_000_000L;
            };
    try {
      return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid --log-opt max-size=" + s + ": not a whole number of bytes");
    }
  }
}
