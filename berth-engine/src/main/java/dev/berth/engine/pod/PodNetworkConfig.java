package dev.berth.engine.pod;

import java.nio.file.Path;
import java.util.List;

/**
 * Where pods find their CNI network: the config dir (the first {@code .conflist}/{@code .conf}
 * there, by name, as kubelet's runtimes pick it), the plugin dirs, and what Berth writes into an
 * empty config dir (a bridge conflist on {@code bridge} with {@code subnet}), as CRI-O does.
 */
public record PodNetworkConfig(Path confDir, List<Path> binDirs, String bridge, String subnet) {
  public static final PodNetworkConfig DEFAULTS = new PodNetworkConfig(Path.of("/etc/cni/net.d"),
      List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")), "berth-cni0", "10.88.0.0/16");

  public PodNetworkConfig {
    binDirs = List.copyOf(binDirs);
  }

  public PodNetworkConfig withConfDir(Path dir) {
    return new PodNetworkConfig(dir, binDirs, bridge, subnet);
  }

  public PodNetworkConfig withBinDirs(List<Path> dirs) {
    return new PodNetworkConfig(confDir, dirs, bridge, subnet);
  }

  public PodNetworkConfig withBridge(String name, String cidr) {
    return new PodNetworkConfig(confDir, binDirs, name, cidr);
  }
}
