package dev.berth.engine.build;

import java.util.List;

/** What {@code POST /build/prune} removed: the cache records' IDs and the bytes freed. */
public record BuildPruneResult(List<String> cachesDeleted, long spaceReclaimed) {
  public BuildPruneResult {
    cachesDeleted = List.copyOf(cachesDeleted);
  }
}
