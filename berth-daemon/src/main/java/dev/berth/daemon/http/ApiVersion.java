package dev.berth.daemon.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Docker API version such as 1.44, compared numerically (1.9 is older than 1.24). */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
  private static final Pattern PREFIX = Pattern.compile("^/v(\\d{1,4})\\.(\\d{1,4})(/.*)?$");

  public static ApiVersion parse(String text) {
    String[] parts = text.split("\\.");
    if (parts.length != 2) {
      throw new IllegalArgumentException("not an API version: " + text);
    }
    return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
  }

  /** A path split into its optional {@code /vX.Y} prefix and the rest. */
  public record PrefixedPath(Optional<ApiVersion> version, String path) {}

  /** Splits {@code /v1.44/containers/json} into 1.44 and {@code /containers/json}. */
  public static PrefixedPath split(String rawPath) {
    Matcher m = PREFIX.matcher(rawPath);
    if (!m.matches()) {
      return new PrefixedPath(Optional.empty(), rawPath);
    }
    String rest = m.group(3) == null || m.group(3).isEmpty() ? "/" : m.group(3);
    return new PrefixedPath(
        Optional.of(new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))), rest);
  }

  public boolean isOlderThan(ApiVersion other) {
    return compareTo(other) < 0;
  }

  @Override
  public int compareTo(ApiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
