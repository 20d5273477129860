package dev.berth.engine.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * CNI for Berth's networks: the bridge + host-local config of a network (the CNI version
 * negotiated with the plugins once, at the first need) and the ADD, CHECK and DEL calls with it.
 */
final class NetworkCni {
  private static final List<String> PLUGINS = List.of("bridge", "host-local");

  private final CniExecutor cni;
  private final Path ipamDir;
  private volatile String cniVersion;

  NetworkCni(CniExecutor cni, Path ipamDir) {
    this.cni = cni;
    this.ipamDir = ipamDir;
  }

  /** The plugins' network name: host-local keeps its leases in a directory of that name. */
  static String cniName(Network n) {
    return "berth-" + n.id().substring(0, 12);
  }

  /** The ADD result kept on an attached endpoint, or null when the plugin gave none. */
  static CniResult resultOf(Attached a) {
    return a.result() == null ? null : NetworkRecords.read(a.result(), CniResult.class);
  }

  CniResult add(Network n, String containerId, String netns, String ifname, String args) {
    return cni.add(conf(n), new CniExecutor.Invocation(containerId, netns, ifname, args));
  }

  void check(Network n, String containerId, String netns, String ifname, CniResult added) {
    cni.check(conf(n), new CniExecutor.Invocation(containerId, netns, ifname, ""), added);
  }

  /** DEL: frees the lease and the veth; {@code netns} empty when the namespace is gone. */
  void del(Network n, String containerId, String netns, String ifname, CniResult added) {
    cni.del(conf(n), new CniExecutor.Invocation(containerId, netns, ifname, ""), added);
  }

  ObjectNode conf(Network n) {
    return CniConfigs.bridge(cniName(n), version(), n.config(), ipamDir);
  }

  private String version() {
    String v = cniVersion;
    if (v == null) {
      v = cni.negotiate(PLUGINS);
      cniVersion = v;
    }
    return v;
  }
}
