package dev.berth.engine;

import dev.berth.engine.image.registry.RegistryMirrors;
import java.nio.file.Path;

/**
 * Where the engine keeps its files, and the mirrors its pulls use.
 *
 * @param dataRoot durable state: the database, blobs, layers, containers, volumes
 * @param execRoot runtime state that dies with the machine: sockets, pidfiles, exit files
 * @param mirrors mirrors per registry, tried before the registry by every pull (Docker API,
 *     builds, CRI)
 */
public record EngineConfig(Path dataRoot, Path execRoot, RegistryMirrors mirrors) {
  public EngineConfig {
    dataRoot = dataRoot.toAbsolutePath().normalize();
    execRoot = execRoot.toAbsolutePath().normalize();
    mirrors = mirrors == null ? RegistryMirrors.NONE : mirrors;
  }

  /** Without mirrors. */
  public EngineConfig(Path dataRoot, Path execRoot) {
    this(dataRoot, execRoot, RegistryMirrors.NONE);
  }
}
