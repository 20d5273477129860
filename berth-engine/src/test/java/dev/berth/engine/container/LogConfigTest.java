package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogConfigTest {
  private static LogConfig parse(Map<String, String> opts) {
    return LogConfig.parse("", opts);
  }

  @Test
  void noOptionsMeansNoLimitAsDocker() {
    LogConfig c = parse(Map.of());
    assertThat(c.maxSize()).isEqualTo(-1);
    assertThat(c.rotates()).isFalse();
    assertThat(c.conmonSizeMax()).isEqualTo(-1);
  }

  @Test
  void sizesUseDecimalUnitsAsJsonFile() {
    assertThat(parse(Map.of("max-size", "10k")).maxSize()).isEqualTo(10_000);
    assertThat(parse(Map.of("max-size", "10m")).maxSize()).isEqualTo(10_000_000);
    assertThat(parse(Map.of("max-size", "1.5MB")).maxSize()).isEqualTo(1_500_000);
    assertThat(parse(Map.of("max-size", "2g")).maxSize()).isEqualTo(2_000_000_000L);
    assertThat(parse(Map.of("max-size", "512")).maxSize()).isEqualTo(512);
  }

  @Test
  void maxSizeAloneKeepsOneFileAndConmonEnforcesIt() {
    LogConfig c = parse(Map.of("max-size", "10k"));
    assertThat(c.maxFile()).isEqualTo(1);
    assertThat(c.rotates()).isFalse();
    assertThat(c.conmonSizeMax()).isEqualTo(10_000);
  }

  @Test
  void withRotationBerthdAloneRotatesAndConmonHasNoLimit() {
    LogConfig c = parse(Map.of("max-size", "10k", "max-file", "3"));
    assertThat(c.rotates()).isTrue();
    assertThat(c.conmonSizeMax()).isEqualTo(-1);
    assertThat(c.options()).containsEntry("max-file", "3").containsEntry("max-size", "10k");
  }

  @Test
  void maxFileWithoutMaxSizeIsAcceptedAndChangesNothing() {
    LogConfig c = parse(Map.of("max-file", "3"));
    assertThat(c.rotates()).isFalse();
    assertThat(c.conmonSizeMax()).isEqualTo(-1);
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse(Map.of("max-file", "0")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("invalid --log-opt max-file=0: max-file cannot be less than 1");
    assertThatThrownBy(() -> parse(Map.of("max-file", "abc")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("invalid --log-opt max-file=abc: ");
    assertThatThrownBy(() -> parse(Map.of("max-size", "12zz")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("invalid --log-opt max-size=12zz: invalid size: '12zz'");
    assertThatThrownBy(() -> parse(Map.of("max-size", "0")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("invalid --log-opt max-size=0: max-size must be a positive number");
    assertThatThrownBy(() -> parse(Map.of("max-size", "-1")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("invalid --log-opt max-size=-1");
  }

  @Test
  void unknownOptionsAndDriversAreRefusedAsDockerDoes() {
    assertThatThrownBy(() -> parse(Map.of("foo", "bar")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("unknown log opt 'foo' for json-file log driver");
    assertThatThrownBy(() -> LogConfig.parse("syslog", Map.of()))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("log driver \"syslog\" is not supported");
    assertThatThrownBy(() -> parse(Map.of("compress", "true", "max-size", "1m", "max-file", "2")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("compress=true is not supported");
    // json-file's options that only shape its own lines are accepted.
    assertThat(LogConfig.parse("json-file", Map.of("tag", "x", "labels", "a")).options()).containsKeys("tag", "labels");
  }

  @Test
  void localAndNoneDriversAreHonouredAndUnknownOnesGetDockersMessage() {
    LogConfig local = LogConfig.parse("local", Map.of());
    assertThat(local.driver()).isEqualTo("local");
    assertThat(local.maxSize()).as("local's default max-size 20 MB").isEqualTo(20L * 1024 * 1024);
    assertThat(local.maxFile()).as("local's default max-file").isEqualTo(5);
    assertThat(local.readable()).isTrue();
    assertThat(LogConfig.parse("local", Map.of("compress", "true")).rotates()).isTrue();
    LogConfig none = LogConfig.parse("none", Map.of());
    assertThat(none.readable()).isFalse();
    assertThat(none.conmonSizeMax()).isEqualTo(-1);
    assertThat(LogConfig.parse("", Map.of()).driver()).isEqualTo("json-file");
    assertThatThrownBy(() -> LogConfig.parse("bogus", Map.of()))
        .hasMessage("error looking up logging plugin bogus: plugin \"bogus\" not found");
    assertThatThrownBy(() -> LogConfig.parse("local", Map.of("tag", "x")))
        .hasMessage("unknown log opt 'tag' for local log driver");
  }
}
