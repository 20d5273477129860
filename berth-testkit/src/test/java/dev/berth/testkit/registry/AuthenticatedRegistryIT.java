package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.FetchedManifest;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth against the real registry (htpasswd), bearer tokens through a test front. */
@Tag("integration")
class AuthenticatedRegistryIT {
  @TempDir Path dir;
  private final List<RegistryClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(RegistryClient::close);
  }

  private RegistryClient client(Optional<BasicCredentials> login) {
    RegistryClient client =
        new RegistryClient(RegistryClient.Settings.defaults().withCredentials(_ -> login));
    clients.add(client);
    return client;
  }

  @Test
  void basicAuthWorksWithCredentialsAndFailsClearlyWithout() throws IOException {
    try (LocalRegistry registry =
        LocalRegistry.startWithBasicAuth(dir.resolve("registry"), "alice", "s3cret")) {
      BasicCredentials alice = new BasicCredentials("alice", "s3cret");
      RegistryClient withLogin = new RegistryClient(RegistryClient.Settings.defaults()
          .withCredentials(domain -> domain.equals(registry.host()) ? Optional.of(alice) : Optional.empty()));
      clients.add(withLogin);
      ContentStore store = ContentStore.open(dir.resolve("content"));
      TestImage image = TestImage.build(store, "amd64", "basic");
      Reference ref = Reference.parse(registry.host() + "/private/app:v1");

      withLogin.ping(registry.host());
      RegistryClientIT.push(withLogin, ref, image, store);
      assertThat(withLogin.fetchManifest(ref).digest()).isEqualTo(image.digest());

      assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("answered 401")
          .hasMessageContaining("berth login " + registry.host());
      assertThatThrownBy(() -> client(Optional.empty()).ping(registry.host()))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("berth login");
      assertThatThrownBy(() ->
              client(Optional.of(new BasicCredentials("alice", "wrong"))).fetchManifest(ref))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("answered 401")
          .hasMessageContaining("credentials for " + registry.host());
    }
  }

  @Test
  void bearerTokenFlowPushesAndPullsWithScopedTokens() throws IOException {
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        RegistryFront front = RegistryFront.bearer(registry, "bob", "tok-pass")) {
      RegistryClient client = client(Optional.of(new BasicCredentials("bob", "tok-pass")));
      ContentStore store = ContentStore.open(dir.resolve("content"));
      TestImage image = TestImage.build(store, "amd64", "bearer");
      Reference ref = Reference.parse(front.host() + "/team/app:v1");

      RegistryClientIT.push(client, ref, image, store);
      FetchedManifest.Resolved resolved = client.resolve(ref, dev.berth.engine.image.Platform.DEFAULT);
      ContentStore target = ContentStore.open(dir.resolve("target"));
      client.fetchBlobs(ref, image.manifest().layers(), target, _ -> {});

      assertThat(resolved.image().digest()).isEqualTo(image.digest());
      assertThat(target.list()).hasSize(2);
      assertThat(front.tokenRequests)
          .anySatisfy(r -> assertThat(r).contains("service=front")
              .contains("scope=repository%3Ateam%2Fapp%3Apull%2Cpush")
              .contains("auth=Basic Ym9iOnRvay1wYXNz"))
          .anySatisfy(r -> assertThat(r).contains("scope=repository%3Ateam%2Fapp%3Apull ")
              .doesNotContain("push"));
      // Tokens are cached per scope: a handful of token requests for a whole push and pull.
      assertThat(front.tokenRequests).hasSizeLessThanOrEqualTo(3);

      assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("token service")
          .hasMessageContaining("berth login " + front.host());
    }
  }
}
