package dev.berth.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void binarySizesLikeDocker() {
    assertThat(Units.bytesBinary(512)).isEqualTo("512B");
    assertThat(Units.bytesBinary(1024)).isEqualTo("1KiB");
    assertThat(Units.bytesBinary(100 * 1024)).isEqualTo("100KiB");
    assertThat(Units.bytesBinary(1536 * 1024)).isEqualTo("1.5MiB");
    assertThat(Units.bytesBinary(25_329_000_000L)).isEqualTo("23.59GiB");
  }

  @Test
  void decimalSizesLikeDockersHumanSize() {
    assertThat(Units.bytesDecimal(0)).isEqualTo("0B");
    assertThat(Units.bytesDecimal(9)).isEqualTo("9B");
    assertThat(Units.bytesDecimal(999)).isEqualTo("999B");
    assertThat(Units.bytesDecimal(2_130_000)).isEqualTo("2.13MB");
    assertThat(Units.bytesDecimal(2_125_000)).isEqualTo("2.13MB"); // half up
    assertThat(Units.bytesDecimal(2_000_000)).isEqualTo("2MB");
    assertThat(Units.bytesDecimal(1_050_000)).isEqualTo("1.05MB");
    assertThat(Units.bytesDecimal(999_600)).isEqualTo("1000kB");
    assertThat(Units.bytesDecimal(123_456_789)).isEqualTo("123MB");
    assertThat(Units.bytesDecimal(2_009_000, 4)).isEqualTo("2.009MB");
    assertThat(Units.bytesDecimal(12_345_678_901L, 4)).isEqualTo("12.35GB");
  }

  @Test
  void formatsAreTableJsonOrTemplates() {
    assertThat(OutputFormat.parse(null)).isInstanceOf(OutputFormat.Default.class);
    assertThat(OutputFormat.parse("table")).isInstanceOf(OutputFormat.Default.class);
    assertThat(OutputFormat.parse("json")).isInstanceOf(OutputFormat.Json.class);
    assertThat(OutputFormat.parse("{{json .}}")).isInstanceOf(OutputFormat.Json.class);
    assertThat(OutputFormat.parse("table {{.ID}}")).isInstanceOfSatisfying(OutputFormat.Template.class,
        t -> assertThat(t.table()).isTrue());
    assertThatThrownBy(() -> OutputFormat.parse("yaml")).hasMessageContaining("use table, json, or a Go template");
  }
}
