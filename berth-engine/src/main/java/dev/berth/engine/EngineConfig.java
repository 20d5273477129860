package dev.berth.engine;

import dev.berth.engine.pod.PodNetworkConfig;
import java.nio.file.Path;

/**
 * Where the engine keeps its files.
 *
 * @param dataRoot durable state: the database, blobs, layers, containers, volumes
 * @param execRoot runtime state that dies with the machine: sockets, pidfiles, exit files
 * @param podNetwork the CNI config and plugin dirs of pod sandboxes (CRI)
 */
public record EngineConfig(Path dataRoot, Path execRoot, PodNetworkConfig podNetwork) {
  public EngineConfig {
    dataRoot = dataRoot.toAbsolutePath().normalize();
    execRoot = execRoot.toAbsolutePath().normalize();
    podNetwork = podNetwork == null ? PodNetworkConfig.DEFAULTS : podNetwork;
  }

  public EngineConfig(Path dataRoot, Path execRoot) {
    this(dataRoot, execRoot, PodNetworkConfig.DEFAULTS);
  }

  public EngineConfig withPodNetwork(PodNetworkConfig network) {
    return new EngineConfig(dataRoot, execRoot, network);
  }
}
