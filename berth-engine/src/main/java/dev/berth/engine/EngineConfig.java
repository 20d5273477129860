package dev.berth.engine;

import dev.berth.engine.image.registry.RegistryMirrors;
import dev.berth.engine.pod.PodNetworkConfig;
import java.nio.file.Path;

/**
 * Where the engine keeps its files, the mirrors its pulls use, and where pods find CNI.
 *
 * @param dataRoot durable state: the database, blobs, layers, containers, volumes
 * @param execRoot runtime state that dies with the machine: sockets, pidfiles, exit files
 * @param mirrors mirrors per registry, tried before the registry by every pull (Docker API,
 *     builds, CRI)
 * @param podNetwork the CNI config and plugin dirs of pod sandboxes (CRI)
 * @param remapping the user-namespace remapping of containers ({@code --userns-remap}), or null for none
 */
public record EngineConfig(Path dataRoot, Path execRoot, RegistryMirrors mirrors, PodNetworkConfig podNetwork,
    dev.berth.engine.userns.Remapping remapping) {
  public EngineConfig {
    dataRoot = dataRoot.toAbsolutePath().normalize();
    execRoot = execRoot.toAbsolutePath().normalize();
    mirrors = mirrors == null ? RegistryMirrors.NONE : mirrors;
    podNetwork = podNetwork == null ? PodNetworkConfig.DEFAULTS : podNetwork;
  }

  /** No mirrors, the usual CNI dirs for pods, no remapping: the {@code with…} methods change one. */
  public EngineConfig(Path dataRoot, Path execRoot) {
    this(dataRoot, execRoot, RegistryMirrors.NONE, PodNetworkConfig.DEFAULTS, null);
  }

  public EngineConfig withMirrors(RegistryMirrors registryMirrors) {
    return new EngineConfig(dataRoot, execRoot, registryMirrors, podNetwork, remapping);
  }

  public EngineConfig withPodNetwork(PodNetworkConfig network) {
    return new EngineConfig(dataRoot, execRoot, mirrors, network, remapping);
  }

  public EngineConfig withRemapping(dev.berth.engine.userns.Remapping userns) {
    return new EngineConfig(dataRoot, execRoot, mirrors, podNetwork, userns);
  }
}
