package dev.berth.engine.system;

import java.nio.file.Path;

/**
 * The daemon's view of itself and its host, for {@code info}.
 *
 * @param id this installation's stable ID (kept in the state database)
 * @param dataRoot where durable state lives
 * @param execRoot where runtime state lives
 * @param schemaVersion the state database's schema version
 */
public record SystemInfo(
    String id,
    String serverVersion,
    Path dataRoot,
    Path execRoot,
    int schemaVersion,
    HostFacts host,
    Counts counts) {

  /** How many objects the engine manages. */
  public record Counts(int containers, int running, int paused, int stopped, int images) {}
}
