package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestNetworkTest {
  private static final GuestInterface ETH0 =
      new GuestInterface("eth0", "3A:1F:00:AA:BB:01", "172.18.0.2", 16, Optional.of("172.18.0.1"));
  private static final GuestInterface ETH1 =
      new GuestInterface("eth1", "3a:1f:00:aa:bb:02", "10.5.0.9", 24, Optional.empty());

  @Test
  void theGuestLearnsEachInterfacesMacAddressAndOnlyOneDefaultRoute() {
    assertThat(GuestNetwork.guestConfig(List.of(ETH0, ETH1)))
        .isEqualTo("3a:1f:00:aa:bb:01 172.18.0.2/16 172.18.0.1\n3a:1f:00:aa:bb:02 10.5.0.9/24 -\n");
  }

  @Test
  void eachCniInterfaceAndItsTapRedirectToEachOther() {
    String script = GuestNetwork.hostScript(List.of(ETH0, ETH1));

    assertThat(script.lines()).containsSubsequence(
        "ip -batch - <<'EOF'",
        "tuntap add tap0 mode tap",
        "link set tap0 up",
        "tuntap add tap1 mode tap",
        "EOF",
        "tc -batch - <<'EOF'",
        "qdisc add dev eth0 ingress",
        "filter add dev eth0 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev tap0",
        "qdisc add dev tap0 ingress",
        "filter add dev tap0 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev eth0",
        "filter add dev eth1 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev tap1",
        "filter add dev tap1 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev eth1",
        "EOF");
  }

  @Test
  void qemuRunsInTheContainersNamespace() {
    assertThat(GuestNetwork.inNamespace(Path.of("/run/berth/netns/abc")))
        .containsExactly("nsenter", "--net=/run/berth/netns/abc");
  }

  @Test
  void valuesThatWouldBreakTheScriptOrQemusOptionsAreRefused() {
    assertThatThrownBy(() -> new GuestInterface("eth0; reboot", "3a:1f:00:aa:bb:01", "172.18.0.2", 16, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GuestInterface("eth0", "3a:1f,id=x", "172.18.0.2", 16, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ETH1.tap()).isEqualTo("tap1");
  }
}
