package dev.berth.engine.build;

import java.time.Instant;
import java.util.List;

/** The build cache as {@code system df} shows it (BuildCache). */
public record BuildCacheUsage(List<Entry> entries) {

  public BuildCacheUsage {
    entries = List.copyOf(entries);
  }

  /** The bytes all entries hold. */
  public long totalSize() {
    return entries.stream().mapToLong(Entry::size).sum();
  }

  /**
   * One cached step, in the fields of the API's BuildCache object.
   *
   * @param id the cache record's ID
   * @param type "regular" (RUN) or "source.local" (COPY/ADD) or "internal" (config-only)
   * @param description the step's instruction
   * @param size bytes of the layer it made (0 for config-only steps)
   * @param inUse whether a build uses it now
   * @param shared whether a tagged image also holds it
   * @param usageCount how often it served
   */
  public record Entry(String id, String parent, String type, String description, boolean inUse, boolean shared,
      long size, Instant createdAt, Instant lastUsedAt, int usageCount) {}
}
