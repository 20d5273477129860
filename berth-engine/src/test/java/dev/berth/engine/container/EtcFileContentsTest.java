package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EtcFileContentsTest {
  private static final List<String> HOST = List.of("# host's", "nameserver 127.0.0.53", "nameserver 10.0.0.2",
      "search corp.example", "options edns0");

  private static ContainerConfig config(String hostJson) throws Exception {
    return ContainerStore.JSON.readValue("{\"image\":\"i\",\"host\":" + hostJson + "}", ContainerConfig.class);
  }

  @Test
  void addHostLinesComeBeforeTheContainersOwnNameAndHostGatewayIsTheBridge() throws Exception {
    String hosts = EtcFileContents.hosts(config("{\"extraHosts\":[\"db:10.1.2.3\",\"gw:host-gateway\",\"v6=::1\"]}"),
        "box", Optional.of("172.17.0.2"), Optional.of("172.17.0.1"));
    assertThat(hosts).startsWith("127.0.0.1\tlocalhost\n")
        .endsWith("10.1.2.3\tdb\n172.17.0.1\tgw\n::1\tv6\n172.17.0.2\tbox\n");
    assertThatThrownBy(() -> EtcFileContents.hosts(config("{\"extraHosts\":[\"gw:host-gateway\"]}"), "box",
        Optional.empty(), Optional.empty())).hasMessageContaining("host-gateway");
  }

  @Test
  void resolvConfKeepsTheHostsLinesUnlessDnsOptionsReplaceThem() throws Exception {
    assertThat(EtcFileContents.resolvConf(config("{}"), HOST, Optional.empty(), true))
        .isEqualTo("# host's\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n");
    assertThat(EtcFileContents.resolvConf(config("{\"dns\":[\"1.1.1.1\"],\"dnsSearch\":[\"a.test\",\"b.test\"],"
        + "\"dnsOptions\":[\"ndots:2\"]}"), HOST, Optional.empty(), true))
        .isEqualTo("# host's\nnameserver 1.1.1.1\nsearch a.test b.test\noptions ndots:2\n");
    // a user network's own name server first; "." as the search list means none
    assertThat(EtcFileContents.resolvConf(config("{\"dnsSearch\":[\".\"]}"), HOST, Optional.of("10.89.0.1"), true))
        .isEqualTo("# host's\nnameserver 10.89.0.1\noptions edns0\n");
  }
}
