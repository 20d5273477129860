package dev.berth.engine.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortMappingTest {
  @Test
  void parsesHostAndGuestPorts() {
    assertThat(PortMapping.parse("8080:80")).isEqualTo(new PortMapping(8080, 80));
    assertThat(PortMapping.parse("127.0.0.1:2222:22")).isEqualTo(new PortMapping(2222, 22));
    assertThat(PortMapping.parse("8443:443/tcp")).isEqualTo(new PortMapping(8443, 443));
    assertThat(new PortMapping(8080, 80)).hasToString("127.0.0.1:8080->80/tcp");
  }

  @Test
  void rejectsMalformedMappings() {
    assertThatThrownBy(() -> PortMapping.parse("80")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("HOSTPORT:GUESTPORT");
    assertThatThrownBy(() -> PortMapping.parse("a:b")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> PortMapping.parse("70000:80")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> PortMapping.parse("0.0.0.0:80:80")).isInstanceOf(BerthException.InvalidArgument.class);
  }

  @Test
  void aTakenHostPortIsAConflictAndAFreeOneIsNot() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> new PortMapping(port, 80).checkFree())
          .isInstanceOf(BerthException.Conflict.class)
          .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("already in use");
      taken.close();
      new PortMapping(port, 80).checkFree();
    }
  }
}
