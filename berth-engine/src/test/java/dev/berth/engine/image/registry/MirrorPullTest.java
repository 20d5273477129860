package dev.berth.engine.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls through mirrors: the order, the fall-through, and what credentials go where. */
class MirrorPullTest {
  @TempDir Path dir;
  private FakeRegistry registry;
  private FakeRegistry mirror;
  private FakeRegistry second;
  private ContentStore store;
  private final List<RegistryClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    registry = new FakeRegistry();
    mirror = new FakeRegistry();
    second = new FakeRegistry();
    store = ContentStore.open(dir.resolve("content"));
  }

  @AfterEach
  void stop() {
    clients.forEach(RegistryClient::close);
    registry.close();
    mirror.close();
    second.close();
  }

  private RegistryClient client(Optional<BasicCredentials> login, String registryName, String... mirrorUrls) {
    RegistryMirrors.Builder table = new RegistryMirrors.Builder();
    for (String url : mirrorUrls) {
      table.add(registryName, url);
    }
    RegistryClient client = new RegistryClient(new RegistryClient.Settings(
        Set.of(), _ -> login, 3, Duration.ofMillis(1), 2, Duration.ofSeconds(10), table.build(Set.of())));
    clients.add(client);
    return client;
  }

  /** An image under {@code repo:v1} in {@code into}; returns its manifest. */
  private static ImageManifest putImage(FakeRegistry into, String repo, String layerText) {
    byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
    Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, into.putBlob(configBytes), configBytes.length);
    byte[] layer = layerText.getBytes();
    Descriptor layerDescriptor = new Descriptor(MediaTypes.OCI_LAYER, into.putBlob(layer), layer.length);
    ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, config, List.of(layerDescriptor));
    byte[] bytes = ImageJson.write(manifest);
    into.putManifest(repo + ":v1", MediaTypes.OCI_MANIFEST, bytes);
    into.putManifest(repo + ":" + Digest.of(bytes), MediaTypes.OCI_MANIFEST, bytes);
    return manifest;
  }

  private static String deadHost() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void aMirrorThatHasTheImageServesAllOfItAndTheRegistryIsNeverAsked() {
    ImageManifest manifest = putImage(mirror, "app", "layer");
    Reference ref = Reference.parse(registry.host() + "/app:v1");
    RegistryClient client = client(Optional.empty(), registry.host(), "http://" + mirror.host());

    FetchedManifest.Resolved resolved = client.resolve(ref, Platform.DEFAULT);
    client.fetchSmallBlob(ref, manifest.config());
    client.fetchBlobs(ref, manifest.layers(), store, _ -> {});

    assertThat(resolved.image().manifest()).isEqualTo(manifest);
    assertThat(store.exists(manifest.layers().getFirst().digest())).isTrue();
    assertThat(registry.requests).isEmpty();
    assertThat(mirror.requests).contains("GET /v2/app/manifests/v1");
  }

  @Test
  void aDockerHubMirrorServesLibraryPathsWithoutAskingTheHub() {
    putImage(mirror, "library/busybox", "layer");
    RegistryClient client = client(Optional.empty(), "docker.io", "http://" + mirror.host());

    FetchedManifest top = client.fetchManifest(Reference.parse("busybox:v1"));

    assertThat(top.digest()).isNotNull();
    assertThat(mirror.requests).containsExactly("GET /v2/library/busybox/manifests/v1");
  }

  @Test
  void fallsThroughADeadMirrorAndOneWithout404ToTheNextInOrder() throws IOException {
    ImageManifest manifest = putImage(second, "app", "layer");
    Reference ref = Reference.parse(registry.host() + "/app:v1");
    RegistryClient client = client(Optional.empty(), registry.host(),
        "http://" + deadHost(), "http://" + mirror.host(), "http://" + second.host());

    client.fetchManifest(ref);
    client.fetchBlobs(ref, manifest.layers(), store, _ -> {});

    assertThat(mirror.requests).containsExactly("GET /v2/app/manifests/v1");
    // The blobs are asked of the mirror that served the manifest first, not of the others again.
    assertThat(second.requests).contains("GET /v2/app/manifests/v1",
        "GET /v2/app/blobs/" + manifest.layers().getFirst().digest());
    assertThat(registry.requests).isEmpty();
  }

  @Test
  void fallsThroughToTheRegistryWhenTheMirrorFailsWith5xxWithoutRetryingIt() {
    putImage(mirror, "app", "layer");
    putImage(registry, "app", "layer");
    mirror.failuresLeft.set(10);
    mirror.failureStatus = 503;
    RegistryClient client = client(Optional.empty(), registry.host(), "http://" + mirror.host());

    client.fetchManifest(Reference.parse(registry.host() + "/app:v1"));

    assertThat(mirror.requests).hasSize(1);
    assertThat(registry.requests).containsExactly("GET /v2/app/manifests/v1");
  }

  @Test
  void theLoginIsSentOnlyToTheRegistryAndAMirrorThatWantsOneIsSkipped() {
    BasicCredentials login = new BasicCredentials("alice", "secret");
    putImage(mirror, "app", "layer");
    mirror.requireToken = true;
    mirror.requiredLogin = login;
    putImage(registry, "app", "layer");
    registry.requireToken = true;
    registry.requiredLogin = login;
    RegistryClient client = client(Optional.of(login), registry.host(), "http://" + mirror.host());

    client.fetchManifest(Reference.parse(registry.host() + "/app:v1"));

    assertThat(mirror.tokenRequests).isNotEmpty().allSatisfy(r -> assertThat(r).endsWith("auth=null"));
    assertThat(registry.tokenRequests).anySatisfy(r -> assertThat(r).contains("auth=Basic "));
    assertThat(registry.requests).contains("GET /v2/app/manifests/v1");
  }

  @Test
  void aMirrorsManifestIsCheckedAgainstTheDigestAskedFor() {
    ImageManifest real = putImage(registry, "app", "real");
    putImage(mirror, "app", "forged");
    byte[] realBytes = ImageJson.write(real);
    Digest wanted = Digest.of(realBytes);
    // The mirror answers the real digest with other bytes.
    mirror.putManifest("app:" + wanted, MediaTypes.OCI_MANIFEST, mirror.manifests.get("app:v1").bytes());
    RegistryClient client = client(Optional.empty(), registry.host(), "http://" + mirror.host());

    FetchedManifest fetched = client.fetchManifest(Reference.parse(registry.host() + "/app@" + wanted));

    assertThat(fetched.digest()).isEqualTo(wanted);
    assertThat(registry.requests).containsExactly("GET /v2/app/manifests/" + wanted);
  }

  @Test
  void whenEverySourceFailsTheRegistrysErrorNamesWhatTheMirrorsSaid() throws IOException {
    String dead = deadHost();
    RegistryClient client = client(Optional.empty(), registry.host(), "http://" + dead, "http://" + mirror.host());

    assertThatThrownBy(() -> client.fetchManifest(Reference.parse(registry.host() + "/nope:v1")))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining("registry " + registry.host() + " answered 404")
        .hasMessageContaining("tried before")
        .hasMessageContaining("http://" + dead + " (mirror of " + registry.host() + ")")
        .hasMessageContaining("connection refused")
        .hasMessageContaining("http://" + mirror.host() + " (mirror of " + registry.host() + ") answered 404");
  }

  @Test
  void otherRegistriesAndPushesDoNotUseTheMirrors() {
    putImage(registry, "app", "layer");
    putImage(mirror, "app", "layer");
    RegistryClient client = client(Optional.empty(), "registry.invalid", "http://" + mirror.host());

    client.fetchManifest(Reference.parse(registry.host() + "/app:v1"));
    client.blobExists(Reference.parse(registry.host() + "/app:v1"), Digest.of("x".getBytes()));

    assertThat(mirror.requests).isEmpty();
    assertThat(registry.requests).hasSize(2);
  }
}
