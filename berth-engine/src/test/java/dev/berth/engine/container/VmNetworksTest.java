package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.microvm.GuestInterface;
import dev.berth.engine.network.Attached;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VmNetworksTest {
  @Test
  void theGuestGetsCnisAddressesAndMacsAndOneDefaultRouteThroughTheFirstNetworkWithAWayOut() {
    List<GuestInterface> guest = VmNetworks.interfaces(List.of(
        new Attached("eth0", "10.9.0.2", 24, "10.9.0.1", "aa:bb:cc:00:00:01"),
        new Attached("eth1", "172.18.0.3", 16, "172.18.0.1", "aa:bb:cc:00:00:02"),
        new Attached("eth2", "172.19.0.3", 16, "172.19.0.1", "aa:bb:cc:00:00:03")), Set.of("eth0"));

    assertThat(guest).containsExactly(
        new GuestInterface("eth0", "aa:bb:cc:00:00:01", "10.9.0.2", 24, Optional.empty()), // internal: no way out
        new GuestInterface("eth1", "aa:bb:cc:00:00:02", "172.18.0.3", 16, Optional.of("172.18.0.1")),
        new GuestInterface("eth2", "aa:bb:cc:00:00:03", "172.19.0.3", 16, Optional.empty()));
  }
}
