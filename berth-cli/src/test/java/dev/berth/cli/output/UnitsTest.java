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
