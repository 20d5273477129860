package dev.berth.engine.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryClientTest {
  @TempDir Path dir;
  private FakeRegistry registry;
  private ContentStore store;

  @BeforeEach
  void start() throws IOException {
    registry = new FakeRegistry();
    store = ContentStore.open(dir.resolve("content"));
  }

  private final List<RegistryClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(RegistryClient::close);
    registry.close();
  }

  private RegistryClient client(Optional<BasicCredentials> login) {
    RegistryClient client = new RegistryClient(new RegistryClient.Settings(
        Set.of(), _ -> login, 3, Duration.ofMillis(1), 2, Duration.ofSeconds(10)));
    clients.add(client);
    return client;
  }

  private Reference ref(String repoAndTag) {
    return Reference.parse(registry.host() + "/" + repoAndTag);
  }

  /** An image (config + layers) in the fake registry under app:v1; returns its manifest. */
  private ImageManifest putImage(byte[]... layers) {
    byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
    Descriptor config =
        new Descriptor(MediaTypes.OCI_CONFIG, registry.putBlob(configBytes), configBytes.length);
    List<Descriptor> layerDescriptors = new ArrayList<>();
    for (byte[] layer : layers) {
      layerDescriptors.add(new Descriptor(MediaTypes.OCI_LAYER, registry.putBlob(layer), layer.length));
    }
    ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, config, layerDescriptors);
    byte[] bytes = ImageJson.write(manifest);
    registry.putManifest("app:v1", MediaTypes.OCI_MANIFEST, bytes);
    registry.putManifest("app:" + Digest.of(bytes), MediaTypes.OCI_MANIFEST, bytes);
    return manifest;
  }

  @Test
  void fetchesManifestByTagAndDigestAndTheConfig() {
    ImageManifest manifest = putImage("layer".getBytes());
    RegistryClient client = client(Optional.empty());

    FetchedManifest byTag = client.fetchManifest(ref("app:v1"));
    FetchedManifest byDigest = client.fetchManifest(ref("app:v1").withDigest(byTag.digest()));

    assertThat(byTag).isInstanceOfSatisfying(FetchedManifest.Image.class,
        image -> assertThat(image.manifest()).isEqualTo(manifest));
    assertThat(byTag.digest()).isEqualTo(Digest.of(byTag.bytes()));
    assertThat(byDigest.digest()).isEqualTo(byTag.digest());
    assertThat(new String(client.fetchSmallBlob(ref("app:v1"), manifest.config()),
        StandardCharsets.UTF_8)).contains("amd64");
  }

  @Test
  void missingManifestIsNotFoundWithTheRegistryMessage() {
    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref("nope:v1")))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining("nope:v1")
        .hasMessageContaining("MANIFEST_UNKNOWN");
  }

  @Test
  void manifestWithWrongBytesForItsDigestIsRejected() {
    putImage("layer".getBytes());
    Digest claimed = Digest.of("something else".getBytes());
    registry.putManifest("app:" + claimed, MediaTypes.OCI_MANIFEST,
        registry.manifests.get("app:v1").bytes());

    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref("app").withDigest(claimed)))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining(claimed.toString());
  }

  @Test
  void oversizedManifestIsRejected() {
    registry.putManifest("big:v1", MediaTypes.OCI_MANIFEST, new byte[RegistryClient.MAX_MANIFEST_BYTES + 1]);
    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref("big:v1")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("larger than 4194304 bytes");
  }

  @Test
  void resolvesTheWantedPlatformFromAnIndexAndListsPlatformsWhenAbsent() {
    ImageManifest amd = putImage("amd".getBytes());
    byte[] amdBytes = registry.manifests.get("app:v1").bytes();
    byte[] armBytes = ImageJson.write(new ImageManifest(MediaTypes.OCI_MANIFEST, amd.config(), List.of()));
    registry.putManifest("multi:" + Digest.of(armBytes), MediaTypes.OCI_MANIFEST, armBytes);
    registry.putManifest("multi:" + Digest.of(amdBytes), MediaTypes.OCI_MANIFEST, amdBytes);
    ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(
        new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(armBytes), armBytes.length)
            .withPlatform(Platform.parse("linux/arm64/v8")),
        new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(amdBytes), amdBytes.length)
            .withPlatform(Platform.parse("linux/amd64"))));
    registry.putManifest("multi:latest", MediaTypes.OCI_INDEX, ImageJson.write(index));
    RegistryClient client = client(Optional.empty());

    FetchedManifest.Resolved amd64 = client.resolve(ref("multi"), Platform.DEFAULT);
    FetchedManifest.Resolved arm64 = client.resolve(ref("multi"), Platform.parse("linux/arm64"));

    assertThat(amd64.top()).isInstanceOf(FetchedManifest.Index.class);
    assertThat(amd64.image().digest()).isEqualTo(Digest.of(amdBytes));
    assertThat(arm64.image().digest()).isEqualTo(Digest.of(armBytes));
    assertThatThrownBy(() -> client.resolve(ref("multi"), Platform.parse("linux/s390x")))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining("linux/s390x")
        .hasMessageContaining("available platforms: linux/arm64/v8, linux/amd64");
  }

  @Test
  void fetchesBlobsInParallelWithProgressAndSkipsPresentOnes() throws IOException {
    byte[] big = new byte[700_000];
    new Random(1).nextBytes(big);
    byte[] small = "small".getBytes();
    ImageManifest manifest = putImage(big, small);
    store.write(Digest.of(small), new java.io.ByteArrayInputStream(small), 100);
    List<BlobProgress> events = Collections.synchronizedList(new ArrayList<>());

    List<ContentStore.Stored> stored =
        client(Optional.empty()).fetchBlobs(ref("app:v1"), manifest.layers(), store, events::add);

    Digest bigDigest = Digest.of(big);
    assertThat(stored).extracting(ContentStore.Stored::digest).containsExactly(bigDigest, Digest.of(small));
    assertThat(stored).extracting(ContentStore.Stored::written).containsExactly(true, false);
    assertThat(store.readAll(bigDigest)).isEqualTo(big);
    assertThat(events).contains(new BlobProgress.AlreadyPresent(Digest.of(small), 5),
        new BlobProgress.Started(bigDigest, big.length),
        new BlobProgress.Downloading(bigDigest, big.length, big.length),
        new BlobProgress.Completed(bigDigest, big.length));
    assertThat(events.stream().filter(e -> e instanceof BlobProgress.Downloading).count())
        .isGreaterThan(1);
    assertThat(registry.requests).containsOnlyOnce("GET /v2/app/blobs/" + bigDigest)
        .doesNotContain("GET /v2/app/blobs/" + Digest.of(small));
  }

  @Test
  void corruptBlobFailsCleanlyAndStoresNothing() throws IOException {
    byte[] layer = "the real layer".getBytes();
    ImageManifest manifest = putImage(layer);
    registry.corruptBlobs.put(Digest.of(layer), "the fake layer".getBytes());
    List<BlobProgress> events = Collections.synchronizedList(new ArrayList<>());

    assertThatThrownBy(() -> client(Optional.empty())
            .fetchBlobs(ref("app:v1"), manifest.layers(), store, events::add))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining(Digest.of(layer).toString())
        .hasMessageContaining(Digest.of("the fake layer".getBytes()).toString());
    assertThat(store.list()).isEmpty();
    assertThat(events).last().isInstanceOf(BlobProgress.Failed.class);
  }

  @Test
  void retriesServerErrorsThenSucceeds() {
    putImage("layer".getBytes());
    registry.failuresLeft.set(2);

    client(Optional.empty()).fetchManifest(ref("app:v1"));

    assertThat(registry.requests).containsExactly(
        "GET /v2/app/manifests/v1", "GET /v2/app/manifests/v1", "GET /v2/app/manifests/v1");
  }

  @Test
  void givesUpAfterThreeTries() {
    putImage("layer".getBytes());
    registry.failuresLeft.set(5);
    registry.failureStatus = 429;

    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref("app:v1")))
        .isInstanceOf(BerthException.Unavailable.class)
        .hasMessageContaining("after 3 tries")
        .hasMessageContaining("429");
    assertThat(registry.requests).hasSize(3);
  }

  @Test
  void connectionRefusedIsUnavailable() throws IOException {
    String host;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      host = "127.0.0.1:" + socket.getLocalPort();
    }
    assertThatThrownBy(() -> client(Optional.empty()).ping(host))
        .isInstanceOf(BerthException.Unavailable.class)
        .hasMessageContaining(host);
    // The JDK's ConnectException has no message: the user still learns what happened.
    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(Reference.parse(host + "/app:v1")))
        .isInstanceOf(BerthException.Unavailable.class)
        .hasMessageContaining(host)
        .hasMessageContaining("connection refused")
        .hasMessageNotContaining("null");
  }

  @Test
  void bearerTokenIsFetchedWithBasicLoginAndCachedPerScope() {
    putImage("layer".getBytes());
    BasicCredentials login = new BasicCredentials("alice", "secret");
    registry.requireToken = true;
    registry.requiredLogin = login;
    RegistryClient client = client(Optional.of(login));

    client.fetchManifest(ref("app:v1"));
    client.fetchManifest(ref("app:v1"));

    assertThat(registry.tokenRequests).singleElement().asString()
        .contains("service=fake")
        .contains("scope=repository%3Aapp%3Apull")
        .contains("auth=Basic YWxpY2U6c2VjcmV0");
    // One challenge, then the token is sent up front.
    assertThat(registry.requests).hasSize(3);
  }

  @Test
  void bearerTokenRefusedWithoutLoginSaysToLogIn() {
    putImage("layer".getBytes());
    registry.requireToken = true;
    registry.requiredLogin = new BasicCredentials("alice", "secret");

    assertThatThrownBy(() -> client(Optional.empty()).fetchManifest(ref("app:v1")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("answered 401")
        .hasMessageContaining("berth login " + registry.host());
  }

  @Test
  void followsBlobRedirectsWithoutSendingTheRegistryTokenToAnotherHost() throws IOException {
    byte[] layer = "redirected layer".getBytes();
    ImageManifest manifest = putImage(layer);
    BasicCredentials login = new BasicCredentials("alice", "secret");
    registry.requireToken = true;
    registry.requiredLogin = login;
    // Same server, other authority: "localhost" instead of "127.0.0.1".
    registry.redirectBlobsTo = "localhost:" + registry.host().split(":")[1];

    client(Optional.of(login)).fetchBlobs(ref("app:v1"), manifest.layers(), store, _ -> {});

    assertThat(store.readAll(Digest.of(layer))).isEqualTo(layer);
    assertThat(registry.cdnRequests).containsExactly("/cdn/" + Digest.of(layer) + " auth=null");
  }

  @Test
  void restartsABlobWhoseConnectionDropsMidway() throws IOException {
    byte[] layer = new byte[300_000];
    new Random(2).nextBytes(layer);
    ImageManifest manifest = putImage(layer);
    registry.truncateOnce.add(Digest.of(layer));

    client(Optional.empty()).fetchBlobs(ref("app:v1"), manifest.layers(), store, _ -> {});

    assertThat(store.readAll(Digest.of(layer))).isEqualTo(layer);
    assertThat(registry.requests).containsExactly(
        "GET /v2/app/blobs/" + Digest.of(layer), "GET /v2/app/blobs/" + Digest.of(layer));
  }

  @Test
  void plainHttpOnlyForLoopbackAndInsecureRegistries() {
    assertThat(RegistryClient.usesPlainHttp("localhost", Set.of())).isTrue();
    assertThat(RegistryClient.usesPlainHttp("localhost:5000", Set.of())).isTrue();
    assertThat(RegistryClient.usesPlainHttp("127.0.0.1:5000", Set.of())).isTrue();
    assertThat(RegistryClient.usesPlainHttp("[::1]:5000", Set.of())).isTrue();
    assertThat(RegistryClient.usesPlainHttp("registry-1.docker.io", Set.of())).isFalse();
    assertThat(RegistryClient.usesPlainHttp("127.example.com", Set.of())).isFalse();
    assertThat(RegistryClient.usesPlainHttp("myreg:5000", Set.of())).isFalse();
    assertThat(RegistryClient.usesPlainHttp("myreg:5000", Set.of("myreg:5000"))).isTrue();
  }
}
