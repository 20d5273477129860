package dev.berth.engine.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void hashesBytes() {
    // sha256("hello") as printed by sha256sum.
    assertThat(Digest.of("hello".getBytes(StandardCharsets.UTF_8)).toString())
        .isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  }

  @Test
  void parsesAndPrints() {
    String text = "sha256:" + "a".repeat(64);
    Digest digest = Digest.parse(text);
    assertThat(digest.hex()).isEqualTo("a".repeat(64));
    assertThat(digest.toString()).isEqualTo(text);
    assertThat(digest.shortHex()).isEqualTo("aaaaaaaaaaaa");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "sha256:", "sha256:abc", "sha512:aaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sha256:gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void rejectsInvalid(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("invalid digest");
  }
}
