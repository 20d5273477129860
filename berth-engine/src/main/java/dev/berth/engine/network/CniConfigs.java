package dev.berth.engine.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/** The CNI config list of a bridge network (pure, unit-tested). */
final class CniConfigs {
  private CniConfigs() {}

  /**
   * bridge (the gateway address on the bridge, hairpin so a
   * container reaches its own published ports) with host-local addresses from the subnet or the
   * ip-range; a default route unless internal.
   */
  static ObjectNode bridge(String name, String cniVersion, NetworkConfig n, Path ipamDir) {
    ObjectNode list = CniResult.JSON.createObjectNode();
    list.put("cniVersion", cniVersion);
    list.put("name", name);
    ObjectNode bridge = list.putArray("plugins").addObject();
    bridge.put("type", "bridge");
    bridge.put("bridge", n.bridge());
    bridge.put("isGateway", true);
    // Masquerade is one rule per network in Berth's own chain (Iptables), not the plugin's chain
    // per container: that costs several iptables runs at every start and stop.
    bridge.put("ipMasq", false);
    bridge.put("hairpinMode", true);
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.put("dataDir", ipamDir.toString());
    ObjectNode range = ipam.putArray("ranges").addArray().addObject();
    Cidr subnet = Cidr.parse(n.subnet());
    range.put("subnet", subnet.toString());
    range.put("gateway", n.gateway());
    if (n.ipRange() != null) {
      Cidr r = Cidr.parse(n.ipRange());
      // addresses compare unsigned: 172.16.0.0 and up are negative ints
      int first = Integer.compareUnsigned(r.host(0), subnet.host(1)) > 0 ? r.host(0) : subnet.host(1);
      int last = Integer.compareUnsigned(r.host(r.size() - 1), subnet.host(subnet.size() - 2)) < 0
          ? r.host(r.size() - 1) : subnet.host(subnet.size() - 2);
      range.put("rangeStart", Cidr.format(first));
      range.put("rangeEnd", Cidr.format(last));
    }
    if (!n.internal()) {
      ArrayNode routes = ipam.putArray("routes");
      routes.addObject().put("dst", "0.0.0.0/0");
    }
    return list;
  }
}
