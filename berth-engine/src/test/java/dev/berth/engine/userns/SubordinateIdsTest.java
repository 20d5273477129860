package dev.berth.engine.userns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.runtime.spec.Linux.IdMapping;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SubordinateIdsTest {
  @Test
  void rangesAreFoundByNameOrByNumericIdInFileOrderAndBadLinesAreSkipped() {
    SubordinateIds ids = SubordinateIds.parse("""
        alice:100000:65536
        # a comment
        berth:165536:65536
        broken line
        bob:x:10
        1001:300000:1000
        berth:400000:10
        """);
    assertThat(ids.rangesOf("berth", OptionalLong.of(999)))
        .containsExactly(new IdRange(165536, 65536), new IdRange(400000, 10));
    assertThat(ids.rangesOf("carol", OptionalLong.of(1001))).containsExactly(new IdRange(300000, 1000));
    assertThat(ids.rangesOf("nobody", OptionalLong.empty())).isEmpty();
    assertThat(ids.rangesOf("bob", OptionalLong.empty())).isEmpty();
  }

  @Test
  void theNextFreeRangeStartsAt100000AndSkipsEveryTakenRange() {
    assertThat(SubordinateIds.parse("").nextFree(65536)).isEqualTo(new IdRange(100000, 65536));
    assertThat(SubordinateIds.parse("a:100000:65536\n").nextFree(65536)).isEqualTo(new IdRange(165536, 65536));
    // a gap too small for the range is skipped; one large enough is used
    assertThat(SubordinateIds.parse("a:100000:1000\nb:110000:65536\nc:300000:65536\n").nextFree(65536))
        .isEqualTo(new IdRange(175536, 65536));
    assertThat(SubordinateIds.parse("c:300000:65536\na:100000:1000\n").nextFree(65536))
        .isEqualTo(new IdRange(101000, 65536));
    // ranges below the start do not matter
    assertThat(SubordinateIds.parse("low:1000:5000\n").nextFree(65536)).isEqualTo(new IdRange(100000, 65536));
  }

  @Test
  void mappingsGiveContainerIdsFromZeroAcrossTheRangesInOrder() {
    Remapping r = Remapping.of("berth", "berth", List.of(new IdRange(200000, 10), new IdRange(100000, 65536)),
        List.of(new IdRange(300000, 65536)));
    assertThat(r.uids()).containsExactly(new IdMapping(0, 200000, 10), new IdMapping(10, 100000, 65536));
    assertThat(r.rootUid()).isEqualTo(200000);
    assertThat(r.rootGid()).isEqualTo(300000);
    assertThat(r.hostUid(9)).isEqualTo(200009);
    assertThat(r.hostUid(10)).isEqualTo(100000);
    assertThat(r.hostGid(65535)).isEqualTo(365535);
    assertThat(r.dirName()).isEqualTo("200000.300000");
    assertThat(r.size()).isEqualTo(65536);
    assertThatThrownBy(() -> r.hostGid(65536)).hasMessageContaining("cannot be mapped");
  }
}
