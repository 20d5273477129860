package dev.berth.engine.build;

import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.state.BuildCacheTable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The step cache: a step's key names the image it made. The key covers the parent image, the
 * instruction after expansion, the build args the step can read and, for COPY/ADD, the sources'
 * digest ({@link SourceDigest}). Entries whose image is gone (an rmi, an image prune) count as
 * misses and are dropped.
 */
final class BuildCache {
  private final BuildCacheTable table;
  private final ImageService images;
  private final Clock clock;

  BuildCache(BuildCacheTable table, ImageService images, Clock clock) {
    this.table = table;
    this.images = images;
    this.clock = clock;
  }

  /** The kinds of entries, named as the API's BuildCache.Type. */
  enum Kind {
    REGULAR("regular"), SOURCE("source.local"), INTERNAL("internal");

    final String apiName;

    Kind(String apiName) {
      this.apiName = apiName;
    }
  }

  /**
   * The key of a step. {@code args} are the build args visible to it (a RUN reads all of them
   * through its environment; other instructions only through their expansion, already in
   * {@code instruction}); {@code sources} is the COPY/ADD sources' digest, or empty.
   */
  static String key(String parentId, Kind kind, String instruction, Map<String, String> args, String sources) {
    StringBuilder b = new StringBuilder("berth-build-cache v1\n").append(parentId).append('\n').append(kind.apiName)
        .append('\n').append(instruction.length()).append(':').append(instruction).append('\n');
    for (Map.Entry<String, String> e : new TreeMap<>(args).entrySet()) {
      b.append(e.getKey().length()).append(':').append(e.getKey()).append('=')
          .append(e.getValue().length()).append(':').append(e.getValue()).append('\n');
    }
    b.append(sources);
    return Digest.of(b.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  /**
   * The image a step with {@code key} made before, if it is still there. The use is counted
   * later, with the build's other hits ({@link #countUses}).
   */
  Optional<Image> lookup(String key) {
    Optional<BuildCacheTable.CacheRow> row = table.find(key);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Optional<Image> image = images.lookup(row.get().imageId());
    if (image.isEmpty()) {
      table.delete(key);
      return Optional.empty();
    }
    return image;
  }

  /** Counts one use of each entry a build took from the cache (last used: now). */
  void countUses(java.util.List<String> keys) {
    table.touchAll(keys, clock.millis());
  }

  /** Records that the step {@code key} on {@code parent} made {@code result}. */
  void store(String key, Image parent, Image result, Kind kind, String description) {
    long layerSize = Math.max(0, result.size() - parent.size());
    long now = clock.millis();
    table.put(new BuildCacheTable.CacheRow(key, parent.id().toString(), result.id().toString(), kind.apiName,
        description, result.layers().size() > parent.layers().size() ? layerSize : 0, now, now, 0));
  }
}
