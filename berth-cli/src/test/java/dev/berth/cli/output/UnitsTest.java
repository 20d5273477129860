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
  void formatsAreTableOrJson() {
    assertThat(OutputFormat.parse(null)).isEqualTo(OutputFormat.TABLE);
    assertThat(OutputFormat.parse("table")).isEqualTo(OutputFormat.TABLE);
    assertThat(OutputFormat.parse("json")).isEqualTo(OutputFormat.JSON);
    assertThat(OutputFormat.parse("{{json .}}")).isEqualTo(OutputFormat.JSON);
    assertThatThrownBy(() -> OutputFormat.parse("yaml")).hasMessageContaining("use json or table");
  }
}
