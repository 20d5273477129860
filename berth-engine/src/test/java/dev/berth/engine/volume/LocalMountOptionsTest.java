package dev.berth.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalMountOptionsTest {
  @Test
  void noOptionsIsAPlainDirectory() {
    assertThat(LocalMountOptions.parse(Map.of())).isEmpty();
  }

  @Test
  void tmpfsWithFlagsAndData() {
    LocalMountOptions o = LocalMountOptions.parse(Map.of("type", "tmpfs", "device", "tmpfs",
        "o", "size=64m,uid=1000,nosuid,noexec")).orElseThrow();
    assertThat(o.type()).isEqualTo("tmpfs");
    assertThat(o.flags()).isEqualTo(2 | 8);
    assertThat(o.data()).isEqualTo("size=64m,uid=1000");
  }

  @Test
  void aBindOfAHostPath() {
    LocalMountOptions o = LocalMountOptions.parse(Map.of("type", "none", "o", "bind", "device", "/srv/data"))
        .orElseThrow();
    assertThat(o.flags()).isEqualTo(4096);
    assertThat(o.data()).isEmpty();
    assertThatThrownBy(() -> LocalMountOptions.parse(Map.of("type", "none", "o", "bind", "device", "rel")))
        .hasMessageContaining("absolute host path");
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> LocalMountOptions.parse(Map.of("type", "tmpfs")))
        .hasMessageContaining("missing required option: \"device\"");
    assertThatThrownBy(() -> LocalMountOptions.parse(Map.of("device", "tmpfs")))
        .hasMessageContaining("missing required option: \"type\"");
    assertThatThrownBy(() -> LocalMountOptions.parse(Map.of("colour", "red")))
        .hasMessageContaining("invalid option key: \"colour\"");
    assertThatThrownBy(() -> LocalMountOptions.parse(Map.of("size", "1g"))).hasMessageContaining("quota");
  }
}
