package dev.berth.engine.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void parsesPrefixesAndComparesThemAsAddresses() {
    Cidr c = Cidr.parse("172.20.5.9/16");
    assertThat(c.network().toString()).isEqualTo("172.20.0.0/16");
    assertThat(c.contains(Cidr.parseAddress("172.20.255.1"))).isTrue();
    assertThat(c.contains(Cidr.parseAddress("172.21.0.1"))).isFalse();
    assertThat(c.overlaps(Cidr.parse("172.20.3.0/24"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").overlaps(c)).isFalse();
    assertThat(Cidr.format(c.network().host(1))).isEqualTo("172.20.0.1");
  }

  @Test
  void rejectsWhatIsNotAnIpv4Prefix() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.256/24")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> Cidr.parse("fd00::/64")).hasMessageContaining("only IPv4");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("invalid CIDR");
  }

  @Test
  void hostRoutesComeFromProcNetRouteWithoutTheDefaultRoute() {
    List<Cidr> routes = HostRoutes.parse(List.of(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"));
    assertThat(routes).containsExactly(Cidr.parse("192.0.2.0/24"));
  }
}
