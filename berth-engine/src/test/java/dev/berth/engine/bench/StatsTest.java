package dev.berth.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianIsTheMiddleSampleOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(Stats.median(List.of(30.0, 10.0, 20.0))).isEqualTo(20.0);
    assertThat(Stats.median(List.of(40.0, 10.0, 30.0, 20.0))).isEqualTo(25.0);
    assertThat(Stats.median(List.of(7.0))).isEqualTo(7.0);
  }

  @Test
  void p90IsTheNearestRankSoAlwaysAMeasuredSample() {
    List<Double> ten = List.of(10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0);
    assertThat(Stats.p90(ten)).isEqualTo(9.0); // rank ceil(0.9 * 10) = 9
    List<Double> eleven = new java.util.ArrayList<>(ten);
    eleven.add(11.0);
    assertThat(Stats.p90(eleven)).isEqualTo(10.0); // rank ceil(9.9) = 10
    assertThat(Stats.p90(List.of(3.0, 1.0))).isEqualTo(3.0);
    assertThat(Stats.p90(List.of(5.0))).isEqualTo(5.0);
    assertThat(Stats.percentile(ten, 100)).isEqualTo(10.0);
    assertThat(Stats.percentile(ten, 1)).isEqualTo(1.0);
  }

  @Test
  void noSamplesOrABadPercentileIsAnError() {
    assertThatThrownBy(() -> Stats.median(List.of())).hasMessageContaining("no samples");
    assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 0)).hasMessageContaining("outside");
  }
}
