package dev.berth.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DaemonAddressTest {
  @Test
  void parsesUnixAndTcpAddresses() {
    assertThat(DaemonAddress.parse("unix:///run/berth/berth.sock"))
        .isEqualTo(new DaemonAddress.Unix(Path.of("/run/berth/berth.sock")));
    assertThat(DaemonAddress.parse("/tmp/b.sock")).isEqualTo(new DaemonAddress.Unix(Path.of("/tmp/b.sock")));
    assertThat(DaemonAddress.parse("tcp://127.0.0.1:2375")).isEqualTo(new DaemonAddress.Tcp("127.0.0.1", 2375));
    assertThat(DaemonAddress.parse("unix:///x.sock")).hasToString("unix:///x.sock");
  }

  @Test
  void rejectsWhatItCannotReach() {
    assertThatThrownBy(() -> DaemonAddress.parse("ssh://host")).hasMessageContaining("use unix:///path");
    assertThatThrownBy(() -> DaemonAddress.parse("tcp://nohost")).hasMessageContaining("invalid daemon address");
    assertThatThrownBy(() -> DaemonAddress.parse("unix://")).hasMessageContaining("invalid daemon address");
  }
}
