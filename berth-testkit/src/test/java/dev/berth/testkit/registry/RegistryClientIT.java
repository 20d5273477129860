package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BlobProgress;
import dev.berth.engine.image.registry.FetchedManifest;
import dev.berth.engine.image.registry.RegistryClient;
import dev.berth.engine.image.registry.RegistryClient.PushOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against a real registry (Distribution 2.8) on 127.0.0.1. */
@Tag("integration")
class RegistryClientIT {
  @TempDir static Path dir;
  private static LocalRegistry registry;
  private static final RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults());

  @BeforeAll
  static void startRegistry() {
    registry = LocalRegistry.start(dir.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    client.close();
    registry.close();
  }

  private static Reference ref(String repoAndTag) {
    return Reference.parse(registry.host() + "/" + repoAndTag);
  }

  static void push(RegistryClient client, Reference ref, TestImage image, ContentStore store) {
    for (Descriptor blob : image.blobs()) {
      assertThat(client.pushBlob(ref, blob, store, null)).isEqualTo(PushOutcome.UPLOADED);
    }
    assertThat(client.pushManifest(ref, MediaTypes.OCI_MANIFEST, image.manifestBytes()))
        .isEqualTo(image.digest());
  }

  @Test
  void pushesAnImageThenPullsItByTagAndDigest() throws Exception {
    ContentStore source = ContentStore.open(dir.resolve("source"));
    TestImage image = TestImage.build(source, "amd64", "hello");
    Reference ref = ref("berth/hello:v1");
    client.ping(registry.host());

    push(client, ref, image, source);

    for (Descriptor blob : image.blobs()) {
      assertThat(client.blobExists(ref, blob.digest())).isTrue();
      assertThat(client.pushBlob(ref, blob, source, null)).isEqualTo(PushOutcome.ALREADY_EXISTS);
    }
    FetchedManifest byTag = client.fetchManifest(ref);
    assertThat(byTag).isInstanceOfSatisfying(FetchedManifest.Image.class, fetched -> {
      assertThat(fetched.manifest()).isEqualTo(image.manifest());
      assertThat(fetched.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    });
    assertThat(byTag.digest()).isEqualTo(image.digest());
    assertThat(byTag.bytes()).isEqualTo(image.manifestBytes());
    FetchedManifest byDigest = client.fetchManifest(ref("berth/hello").withDigest(image.digest()));
    assertThat(byDigest.bytes()).isEqualTo(image.manifestBytes());

    ImageConfig config = ImageJson.read(
        client.fetchSmallBlob(ref, image.manifest().config()), ImageConfig.class, "config");
    assertThat(config.config().labels()).containsEntry("test", "hello");
    assertThat(config.rootfs().diffIds()).hasSize(2);

    ContentStore target = ContentStore.open(dir.resolve("target"));
    List<BlobProgress> events = Collections.synchronizedList(new ArrayList<>());
    List<ContentStore.Stored> stored =
        client.fetchBlobs(ref, image.manifest().layers(), target, events::add);
    assertThat(stored).allMatch(ContentStore.Stored::written).hasSize(2);
    for (Descriptor layer : image.manifest().layers()) {
      assertThat(target.readAll(layer.digest())).isEqualTo(source.readAll(layer.digest()));
      assertThat(events).contains(new BlobProgress.Completed(layer.digest(), layer.size()));
    }
    // A second pull finds everything in place and downloads nothing.
    events.clear();
    client.fetchBlobs(ref, image.manifest().layers(), target, events::add);
    assertThat(events).allMatch(e -> e instanceof BlobProgress.AlreadyPresent).hasSize(2);

    // An independent client reads what Berth pushed.
    JsonNode inspected = ImageJson.MAPPER.readTree(run("skopeo", "inspect", "--tls-verify=false",
        "docker://" + ref));
    assertThat(inspected.path("Digest").asText()).isEqualTo(image.digest().toString());
    assertThat(inspected.path("Layers")).hasSize(2);
  }

  @Test
  void mountsBlobsFromAnotherRepositoryAndUploadsWhenTheRegistryDeclines() throws IOException {
    ContentStore store = ContentStore.open(dir.resolve("mount"));
    TestImage image = TestImage.build(store, "amd64", "mount");
    push(client, ref("berth/mount-source:v1"), image, store);
    Descriptor layer = image.manifest().layers().getFirst();

    assertThat(client.pushBlob(ref("berth/mount-target:v1"), layer, store, "berth/mount-source"))
        .isEqualTo(PushOutcome.MOUNTED);
    assertThat(client.blobExists(ref("berth/mount-target:v1"), layer.digest())).isTrue();

    // The named source lacks the blob: the registry answers 202 and the client uploads.
    Descriptor other = image.manifest().layers().get(1);
    assertThat(client.pushBlob(ref("berth/mount-third:v1"), other, store, "berth/empty"))
        .isEqualTo(PushOutcome.UPLOADED);
    assertThat(client.blobExists(ref("berth/mount-third:v1"), other.digest())).isTrue();
  }

  @Test
  void indexResolvesToTheWantedPlatform() throws IOException {
    ContentStore store = ContentStore.open(dir.resolve("multi"));
    TestImage amd64 = TestImage.build(store, "amd64", "amd");
    TestImage arm64 = TestImage.build(store, "arm64", "arm");
    Reference ref = ref("berth/multi:v1");
    for (TestImage image : List.of(arm64, amd64)) {
      for (Descriptor blob : image.blobs()) {
        client.pushBlob(ref, blob, store, null);
      }
      client.pushManifest(ref.withDigest(image.digest()).withTag("tmp"), MediaTypes.OCI_MANIFEST,
          image.manifestBytes());
    }
    ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(
        new Descriptor(MediaTypes.OCI_MANIFEST, arm64.digest(), arm64.manifestBytes().length)
            .withPlatform(Platform.parse("linux/arm64/v8")),
        new Descriptor(MediaTypes.OCI_MANIFEST, amd64.digest(), amd64.manifestBytes().length)
            .withPlatform(Platform.parse("linux/amd64"))));
    Digest indexDigest = client.pushManifest(ref, MediaTypes.OCI_INDEX, ImageJson.write(index));

    FetchedManifest.Resolved resolved = client.resolve(ref, Platform.DEFAULT);
    assertThat(resolved.top().digest()).isEqualTo(indexDigest);
    assertThat(resolved.top()).isInstanceOf(FetchedManifest.Index.class);
    assertThat(resolved.image().digest()).isEqualTo(amd64.digest());
    assertThat(client.resolve(ref, Platform.parse("linux/arm64")).image().digest())
        .isEqualTo(arm64.digest());
    assertThatThrownBy(() -> client.resolve(ref, Platform.parse("linux/riscv64")))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining("available platforms: linux/arm64/v8, linux/amd64");
  }

  @Test
  void unknownTagIsNotFound() {
    assertThatThrownBy(() -> client.fetchManifest(ref("berth/none:v1")))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining("berth/none:v1")
        .hasMessageContaining("answered 404");
  }

  @Test
  void corruptBlobFromTheRegistryFailsAndLeavesNoBlob() throws IOException {
    ContentStore source = ContentStore.open(dir.resolve("corrupt-source"));
    TestImage image = TestImage.build(source, "amd64", "corrupt");
    push(client, ref("berth/corrupt:v1"), image, source);
    Descriptor layer = image.manifest().layers().getFirst();
    ContentStore target = ContentStore.open(dir.resolve("corrupt-target"));

    try (RegistryFront front = RegistryFront.plain(registry)) {
      front.corrupt.add(layer.digest());
      Reference viaFront = Reference.parse(front.host() + "/berth/corrupt:v1");
      assertThat(client.fetchManifest(viaFront).digest()).isEqualTo(image.digest());

      assertThatThrownBy(() -> client.fetchBlobs(viaFront, List.of(layer), target, _ -> {}))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("digest mismatch")
          .hasMessageContaining(layer.digest().toString());
    }
    assertThat(target.list()).isEmpty();
    try (var files = java.nio.file.Files.list(dir.resolve("corrupt-target/blobs/sha256"))) {
      assertThat(files).isEmpty();
    }
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
    return out;
  }
}
