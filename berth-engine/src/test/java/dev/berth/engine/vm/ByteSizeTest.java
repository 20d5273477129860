package dev.berth.engine.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void parsesDockerStyleSizes() {
    assertThat(ByteSize.parse("--memory", "256m")).isEqualTo(256L << 20);
    assertThat(ByteSize.parse("--memory", "1g")).isEqualTo(1L << 30);
    assertThat(ByteSize.parse("--memory", "1G")).isEqualTo(1L << 30);
    assertThat(ByteSize.parse("--memory", "1.5g")).isEqualTo(3L << 29);
    assertThat(ByteSize.parse("--memory", "64MiB")).isEqualTo(64L << 20);
    assertThat(ByteSize.parse("--memory", "1536k")).isEqualTo(1536L << 10);
    assertThat(ByteSize.parse("--memory", "4096")).isEqualTo(4096);
    assertThat(ByteSize.parse("--disk", "2t")).isEqualTo(2L << 40);
  }

  @Test
  void rejectsWordsAndNamesTheOption() {
    assertThatThrownBy(() -> ByteSize.parse("--memory", "lots"))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("--memory").hasMessageContaining("\"lots\"");
    assertThatThrownBy(() -> ByteSize.parse("--memory", "12x")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> ByteSize.parse("--memory", "-1g")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> ByteSize.parse("--memory", "0")).isInstanceOf(BerthException.InvalidArgument.class);
  }

  @Test
  void tellsSizesFromPaths() {
    assertThat(ByteSize.looksLikeSize("10g")).isTrue();
    assertThat(ByteSize.looksLikeSize("/var/lib/disk.qcow2")).isFalse();
    assertThat(ByteSize.looksLikeSize("disk.img")).isFalse();
  }
}
