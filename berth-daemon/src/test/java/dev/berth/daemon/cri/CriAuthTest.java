package dev.berth.daemon.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.cri.api.v1.AuthConfig;
import dev.berth.engine.BerthException;
import dev.berth.engine.image.registry.BasicCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CriAuthTest {
  @Test
  void usernameAndPasswordOrTheirBase64PairBecomeCredentials() {
    assertThat(CriAuth.credentials(AuthConfig.newBuilder().setUsername("u").setPassword("p").build()))
        .contains(new BasicCredentials("u", "p"));
    String pair = Base64.getEncoder().encodeToString("alice:s3:cret".getBytes(StandardCharsets.UTF_8));
    assertThat(CriAuth.credentials(AuthConfig.newBuilder().setAuth(pair).build()))
        .contains(new BasicCredentials("alice", "s3:cret"));
  }

  @Test
  void aTokenIsOfferedAsThePassword() {
    assertThat(CriAuth.credentials(AuthConfig.newBuilder().setIdentityToken("tok").build()))
        .contains(new BasicCredentials("<token>", "tok"));
    assertThat(CriAuth.credentials(AuthConfig.newBuilder().setUsername("bob").setRegistryToken("rt").build()))
        .contains(new BasicCredentials("bob", "rt"));
  }

  @Test
  void noAuthIsAnonymousAndABrokenAuthIsRefused() {
    assertThat(CriAuth.credentials(null)).isEmpty();
    assertThat(CriAuth.credentials(AuthConfig.getDefaultInstance())).isEmpty();
    assertThatThrownBy(() -> CriAuth.credentials(AuthConfig.newBuilder().setAuth("%%%").build()))
        .isInstanceOf(BerthException.InvalidArgument.class);
  }
}
