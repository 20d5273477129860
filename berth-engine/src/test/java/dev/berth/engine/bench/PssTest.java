package dev.berth.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PssTest {
  private static final String ROLLUP = """
      55933c2a2000-7fff53807000 ---p 00000000 00:00 0                          [rollup]
      Rss:                1744 kB
      Pss:                 225 kB
      Pss_Dirty:           112 kB
      Pss_Anon:            112 kB
      Shared_Clean:       1592 kB
      Private_Dirty:       112 kB
      SwapPss:               0 kB
      """;

  @Test
  void theRollupsPssLineInBytesNotPssDirtyOrSwapPss() {
    assertThat(Pss.parseRollup(ROLLUP)).hasValue(225 * 1024L);
  }

  @Test
  void aTextWithoutPssHasNone() {
    assertThat(Pss.parseRollup("Rss: 10 kB\n")).isEmpty();
    assertThatThrownBy(() -> Pss.parseRollup("Pss: 10 MB\n")).hasMessageContaining("unexpected Pss line");
  }

  @Test
  void thisProcessHasAPssAndAGoneOneHasNone() {
    long self = ProcessHandle.current().pid();
    assertThat(Pss.of(self)).isPositive();
    assertThat(Pss.of(Integer.MAX_VALUE)).isZero();
    assertThat(Pss.sum(List.of(self, (long) Integer.MAX_VALUE))).isCloseTo(Pss.of(self), org.assertj.core.data.Offset.offset(4L << 20));
  }
}
