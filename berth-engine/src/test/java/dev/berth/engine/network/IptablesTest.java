package dev.berth.engine.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IptablesTest {
  @Test
  void aPublishedPortIsOneDnatRuleTaggedWithItsContainer() {
    Iptables ipt = new Iptables("BT1");
    String tag = ipt.containerTag("0123456789abcdef");
    assertThat(Iptables.portRule(ipt.dnat(), new PortBinding("tcp", 80, "127.0.0.1", 18080), "10.1.0.2", tag))
        .isEqualTo("-A BT1-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 18080 -m comment --comment BT1:c:0123456789ab"
            + " -j DNAT --to-destination 10.1.0.2:80");
    assertThat(Iptables.portRule(ipt.dnat(), new PortBinding("udp", 53, "", 5353), "10.1.0.2", tag))
        .startsWith("-A BT1-DNAT -p udp -m udp --dport 5353 ");
  }

  @Test
  void removalDeletesExactlyTheTaggedRulesAsIptablesSavePrintsThem() {
    String saved = """
        *nat
        :BT1-DNAT - [0:0]
        -A OUTPUT -m addrtype --dst-type LOCAL -j BT1-DNAT
        -A BT1-DNAT -p tcp -m tcp --dport 1 -m comment --comment "BT1:c:aaaaaaaaaaaa" -j DNAT --to-destination 10.0.0.2:80
        -A BT1-DNAT -p tcp -m tcp --dport 2 -m comment --comment "BT1:c:bbbbbbbbbbbb" -j DNAT --to-destination 10.0.0.3:80
        COMMIT
        """;
    assertThat(Iptables.deletesFor(saved, "BT1:c:aaaaaaaaaaaa")).containsExactly(
        "-D BT1-DNAT -p tcp -m tcp --dport 1 -m comment --comment \"BT1:c:aaaaaaaaaaaa\" -j DNAT --to-destination 10.0.0.2:80");
  }
}
