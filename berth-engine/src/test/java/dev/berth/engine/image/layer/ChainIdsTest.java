package dev.berth.engine.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainIdsTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);
  private static final String C = "sha256:" + "c".repeat(64);

  @Test
  void baseLayerChainIdIsItsDiffId() {
    assertThat(ChainIds.of(List.of(A))).isEqualTo(A);
    assertThat(ChainIds.next(null, A)).isEqualTo(A);
  }

  @Test
  void chainIdFollowsTheOciFormula() {
    // Expected values from: printf '%s %s' "$A" "$B" | sha256sum
    String ab = "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c";
    assertThat(ChainIds.of(List.of(A, B))).isEqualTo(ab);
    assertThat(ChainIds.of(List.of(A, B, C)))
        .isEqualTo("sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588");
    assertThat(ChainIds.next(ab, C)).isEqualTo(ChainIds.of(List.of(A, B, C)));
  }

  @Test
  void refusesDigestsThatAreNotSha256() {
    assertThatThrownBy(() -> ChainIds.next(null, "sha256:../../etc"))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("diff ID");
    assertThatThrownBy(() -> ChainIds.next("md5:abc", A))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("parent chain ID");
  }
}
