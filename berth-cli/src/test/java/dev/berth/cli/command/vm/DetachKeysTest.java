package dev.berth.cli.command.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class DetachKeysTest {
  @Test
  void parsesDockerSyntax() {
    assertThat(DetachKeys.parse("ctrl-p,ctrl-q").sequence()).containsExactly(0x10, 0x11);
    assertThat(DetachKeys.parse("ctrl-a,x").sequence()).containsExactly(0x01, 'x');
    assertThatThrownBy(() -> DetachKeys.parse("ctrl-pq")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ctrl-pq");
  }

  /** Feeds bytes; what would be forwarded, and whether the sequence completed. */
  private static String feed(DetachKeys keys, byte... bytes) {
    DetachKeys.Matcher m = new DetachKeys.Matcher(keys);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : bytes) {
      byte[] now = m.feed(b);
      if (now == null) {
        return out + "<detach>";
      }
      out.writeBytes(now);
    }
    return out.toString();
  }

  @Test
  void holdsAPartialSequenceAndReleasesItWhenBroken() {
    DetachKeys keys = DetachKeys.parse("ctrl-p,ctrl-q");
    assertThat(feed(keys, (byte) 'a', (byte) 0x10, (byte) 0x11)).isEqualTo("a<detach>");
    assertThat(feed(keys, (byte) 0x10, (byte) 'b')).isEqualTo("\u0010b");
    assertThat(feed(keys, (byte) 'x', (byte) 'y')).isEqualTo("xy");
  }
}
