package dev.berth.engine.bench;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Set;

/**
 * What a bench run measures.
 *
 * @param quick small budgets and sizes (about a minute), see {@link Budgets}
 * @param runs timed start runs per kind (after the warm-up runs); 0 = the budget's default
 * @param image the image every kind runs
 * @param kinds the kinds to measure; the rest are left out of the report
 * @param vmImage a disk image for the full-VM row; empty = that row is skipped
 * @param dockerHost dockerd's address for the docker row ({@code unix:///…}); empty = skipped
 */
public record BenchOptions(boolean quick, int runs, String image, List<String> kinds, String vmImage,
    String dockerHost) {
  public static final String DEFAULT_IMAGE = "busybox:latest";
  public static final List<String> ALL_KINDS = List.of("container", "microvm", "vm", "docker", "podman");

  public BenchOptions {
    image = image == null || image.isBlank() ? DEFAULT_IMAGE : image;
    kinds = kinds == null || kinds.isEmpty() ? ALL_KINDS : List.copyOf(kinds);
    vmImage = vmImage == null ? "" : vmImage;
    dockerHost = dockerHost == null ? "" : dockerHost;
    for (String k : kinds) {
      if (!ALL_KINDS.contains(k)) {
        throw new BerthException.InvalidArgument("unknown bench kind \"" + k + "\" (known: "
            + String.join(", ", ALL_KINDS) + ")");
      }
    }
    if (runs < 0 || runs > 1000) {
      throw new BerthException.InvalidArgument("runs must be between 1 and 1000, not " + runs);
    }
    if (Set.copyOf(kinds).size() != kinds.size()) {
      throw new BerthException.InvalidArgument("a bench kind is named twice: " + kinds);
    }
  }

  public boolean wants(String kind) {
    return kinds.contains(kind);
  }
}
