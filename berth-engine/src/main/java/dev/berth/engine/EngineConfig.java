package dev.berth.engine;

import java.nio.file.Path;

/**
 * Where the engine keeps its files.
 *
 * @param dataRoot durable state: the database, blobs, layers, containers, volumes
 * @param execRoot runtime state that dies with the machine: sockets, pidfiles, exit files
 */
public record EngineConfig(Path dataRoot, Path execRoot) {
  public EngineConfig {
    dataRoot = dataRoot.toAbsolutePath().normalize();
    execRoot = execRoot.toAbsolutePath().normalize();
  }
}
