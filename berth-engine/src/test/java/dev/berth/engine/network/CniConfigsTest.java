package dev.berth.engine.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CniConfigsTest {
  @Test
  void aBridgeNetworkRoutesOutWithLeasesUnderTheDataRoot() {
    var list = CniConfigs.bridge("berth-abc", "1.0.0", new NetworkConfig("bridge", "172.20.0.0/16", "172.20.0.1",
        null, false, null, null, "br-abc", true), Path.of("/var/lib/berth/network/ipam"));
    var bridge = list.path("plugins").get(0);
    assertThat(bridge.path("bridge").asText()).isEqualTo("br-abc");
    assertThat(bridge.path("ipMasq").asBoolean()).isFalse(); // Berth's chain masquerades, per network
    assertThat(bridge.path("isGateway").asBoolean()).isTrue();
    var ipam = bridge.path("ipam");
    assertThat(ipam.path("type").asText()).isEqualTo("host-local");
    assertThat(ipam.path("dataDir").asText()).isEqualTo("/var/lib/berth/network/ipam");
    var range = ipam.path("ranges").get(0).get(0);
    assertThat(range.path("subnet").asText()).isEqualTo("172.20.0.0/16");
    assertThat(range.path("gateway").asText()).isEqualTo("172.20.0.1");
    assertThat(range.has("rangeStart")).isFalse();
    assertThat(ipam.path("routes").get(0).path("dst").asText()).isEqualTo("0.0.0.0/0");
  }

  @Test
  void anInternalNetworkHasNoRouteOut() {
    var bridge = CniConfigs.bridge("n", "1.0.0", new NetworkConfig("bridge", "10.5.0.0/24", "10.5.0.1", null, true,
        null, null, "br-x", true), Path.of("/d")).path("plugins").get(0);
    assertThat(bridge.path("ipMasq").asBoolean()).isFalse();
    assertThat(bridge.path("ipam").has("routes")).isFalse();
  }

  @Test
  void anIpRangeBoundsTheAddressesHandedOut() {
    var range = CniConfigs.bridge("n", "1.0.0", new NetworkConfig("bridge", "192.168.0.0/16", "192.168.0.1",
        "192.168.5.0/24", false, null, null, "br-x", true), Path.of("/d"))
        .path("plugins").get(0).path("ipam").path("ranges").get(0).get(0);
    assertThat(range.path("rangeStart").asText()).isEqualTo("192.168.5.0");
    assertThat(range.path("rangeEnd").asText()).isEqualTo("192.168.5.255");
    var low = CniConfigs.bridge("n", "1.0.0", new NetworkConfig("bridge", "10.0.0.0/24", "10.0.0.1",
        "10.0.0.0/25", false, null, null, "br-x", true), Path.of("/d"))
        .path("plugins").get(0).path("ipam").path("ranges").get(0).get(0);
    assertThat(low.path("rangeStart").asText()).isEqualTo("10.0.0.1"); // not the network address
  }
}
