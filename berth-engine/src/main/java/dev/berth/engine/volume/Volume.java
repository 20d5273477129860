package dev.berth.engine.volume;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A volume of the local driver: a directory under {@code <data-root>/volumes/<name>/_data}.
 *
 * @param options the driver options it was created with (none for a plain directory)
 */
public record Volume(String name, String driver, Path mountpoint, Instant createdAt, Map<String, String> labels,
    Map<String, String> options) {
  /** The label Docker (≥ 23) puts on anonymous volumes; prune without {@code all} removes only these. */
  public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

  public Volume {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  public boolean anonymous() {
    return labels.containsKey(ANONYMOUS_LABEL);
  }
}
