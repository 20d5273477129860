package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiVersionTest {

  @ParameterizedTest
  @CsvSource({
      "/v1.44/containers/json, 1.44, /containers/json",
      "/v1.24/_ping, 1.24, /_ping",
      "/v1.51, 1.51, /",
      "/v2.0/info, 2.0, /info"})
  void splitsTheVersionPrefixFromThePath(String raw, String version, String path) {
    ApiVersion.PrefixedPath split = ApiVersion.split(raw);
    assertThat(split.version()).contains(ApiVersion.parse(version));
    assertThat(split.path()).isEqualTo(path);
  }

  @ParameterizedTest
  @CsvSource({"/_ping", "/containers/json", "/version", "/v1/info", "/vx.y/info", "/berth/v1/info"})
  void pathsWithoutAPrefixKeepTheirPath(String raw) {
    ApiVersion.PrefixedPath split = ApiVersion.split(raw);
    assertThat(split.version()).isEqualTo(Optional.empty());
    assertThat(split.path()).isEqualTo(raw);
  }

  @Test
  void versionsCompareNumericallyNotAsText() {
    assertThat(ApiVersion.parse("1.9").isOlderThan(ApiVersion.parse("1.24"))).isTrue();
    assertThat(ApiVersion.parse("1.51").isOlderThan(ApiVersion.parse("1.9"))).isFalse();
    assertThat(ApiVersion.parse("2.0").compareTo(ApiVersion.parse("1.99"))).isPositive();
    assertThat(ApiVersion.parse("1.44")).hasToString("1.44");
  }
}
