package dev.berth.cli.command.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortSpecTest {
  @Test
  void readsDockersPublishForms() {
    assertThat(PortSpec.parse("80")).isEqualTo(new PortSpec("", "", 80, "tcp"));
    assertThat(PortSpec.parse("8080:80")).isEqualTo(new PortSpec("", "8080", 80, "tcp"));
    assertThat(PortSpec.parse("127.0.0.1:18080:80")).isEqualTo(new PortSpec("127.0.0.1", "18080", 80, "tcp"));
    assertThat(PortSpec.parse("127.0.0.1::80")).isEqualTo(new PortSpec("127.0.0.1", "", 80, "tcp"));
    assertThat(PortSpec.parse("5353:53/udp")).isEqualTo(new PortSpec("", "5353", 53, "udp"));
    assertThat(PortSpec.parse("53/UDP").key()).isEqualTo("53/udp");
  }

  @Test
  void badValuesSayWhatIsWrongAndTheForm() {
    assertThatThrownBy(() -> PortSpec.parse("http")).hasMessageContaining("\"http\" is not a number")
        .hasMessageContaining("[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT");
    assertThatThrownBy(() -> PortSpec.parse("80/sctp")).hasMessageContaining("protocol sctp");
    assertThatThrownBy(() -> PortSpec.parse("70000")).hasMessageContaining("between 1 and 65535");
    assertThatThrownBy(() -> PortSpec.parse("8000-8010:80")).hasMessageContaining("ranges are not supported");
    assertThatThrownBy(() -> PortSpec.parse("localhost:80:80")).hasMessageContaining("not an IPv4 address");
  }

  @Test
  void psShowsPublishedPortsAsDockerDoes() throws Exception {
    var ports = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        [{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
         {"IP":"127.0.0.1","PrivatePort":53,"PublicPort":5353,"Type":"udp"}]""");
    assertThat(NetworkOptions.portsCell(ports)).isEqualTo("0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp");
  }
}
