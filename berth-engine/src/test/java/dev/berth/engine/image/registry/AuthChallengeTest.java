package dev.berth.engine.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parsesBearerWithQuotedCommas() {
    AuthChallenge c = AuthChallenge.parse(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            + "scope=\"repository:samalba/my-app:pull,push\"");
    assertThat(c.scheme()).isEqualTo("bearer");
    assertThat(c.params()).isEqualTo(Map.of(
        "realm", "https://auth.docker.io/token",
        "service", "registry.docker.io",
        "scope", "repository:samalba/my-app:pull,push"));
  }

  @Test
  void parsesBasicAndUnquotedAndSkipsUnknownSchemes() {
    assertThat(AuthChallenge.parse("Basic realm=basic-realm").params())
        .isEqualTo(Map.of("realm", "basic-realm"));
    assertThat(AuthChallenge.parse("Negotiate abc")).isNull();
    assertThat(AuthChallenge.parseFirst(List.of("Negotiate", "basic realm=\"r\"")).scheme())
        .isEqualTo("basic");
  }
}
