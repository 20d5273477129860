package dev.berth.engine.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.events.EventBus;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.ImagePuller;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.PullEvent;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.layer.LayerStore;
import dev.berth.engine.image.layer.LayerUnpacker;
import dev.berth.engine.state.ImageTable;
import dev.berth.engine.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull against an in-process registry: each layer is unpacked while it downloads, and the
 * blob and the layer both end up stored, or (on a failure) neither.
 */
class StreamingPullTest {
  @TempDir Path dir;

  private FakeRegistry registry;
  private StateStore state;
  private ImageService images;
  private RegistryClient client;
  private Digest bigBlob;

  @BeforeEach
  void open() throws IOException {
    registry = new FakeRegistry();
    state = StateStore.open(dir.resolve("berth.db"));
    images = new ImageService(ContentStore.open(dir.resolve("content")), LayerStore.open(dir, new LayerUnpacker()),
        new ImageTable(state), Clock.systemUTC(), new EventBus(Clock.systemUTC()));
    client = new RegistryClient(new RegistryClient.Settings(
        Set.of(), _ -> Optional.empty(), 3, Duration.ofMillis(1), 2, Duration.ofSeconds(10)));
    byte[] data = new byte[1_500_000]; // random, so the gzip blob spans several read chunks
    new Random(11).nextBytes(data);
    byte[] base = tar("etc/hostname", "berth".getBytes());
    byte[] big = tar("data/blob", data);
    bigBlob = putImage(base, big).get(1);
  }

  @AfterEach
  void close() {
    client.close();
    registry.close();
    state.close();
  }

  @Test
  void pullStoresEveryBlobAndLayerDownloadingEachOnce() throws IOException {
    List<PullEvent> events = Collections.synchronizedList(new ArrayList<>());

    ImagePuller.Result result = new ImagePuller(images).pull(client, ref(), Platform.DEFAULT, events::add);

    Image image = result.image();
    assertThat(image.layers()).hasSize(2);
    assertThat(images.layers().diffDir(image.layers().get(0).chainId()).resolve("etc/hostname")).hasContent("berth");
    assertThat(Files.size(images.layers().diffDir(image.layers().get(1).chainId()).resolve("data/blob")))
        .isEqualTo(1_500_000);
    assertThat(images.content().readAll(bigBlob)).isEqualTo(registry.blobs.get(bigBlob));
    assertThat(registry.requests).containsOnlyOnce("GET /v2/app/blobs/" + bigBlob);
    assertThat(events).contains(new PullEvent.Layer(bigBlob.shortHex(), "Pull complete",
        registry.blobs.get(bigBlob).length, registry.blobs.get(bigBlob).length));
    assertNoTempFiles();
  }

  @Test
  void aConnectionCutMidLayerIsRetriedAndThePullCompletes() throws IOException {
    registry.truncateOnce.add(bigBlob);

    ImagePuller.Result result = new ImagePuller(images).pull(client, ref(), Platform.DEFAULT, _ -> {});

    assertThat(registry.requests.stream().filter(r -> r.equals("GET /v2/app/blobs/" + bigBlob))).hasSize(2);
    assertThat(images.content().readAll(bigBlob)).isEqualTo(registry.blobs.get(bigBlob));
    assertThat(images.layers().exists(result.image().layers().get(1).chainId())).isTrue();
    assertNoTempFiles();
  }

  @Test
  void aCorruptLayerBlobFailsThePullLeavingNoImageLayerOrBlobAndTheNextPullSucceeds() throws IOException {
    byte[] real = registry.blobs.get(bigBlob);
    byte[] corrupt = real.clone();
    corrupt[corrupt.length - 100] ^= 1; // same size: only the digest at the end can tell
    registry.corruptBlobs.put(bigBlob, corrupt);

    assertThatThrownBy(() -> new ImagePuller(images).pull(client, ref(), Platform.DEFAULT, _ -> {}))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining(bigBlob.toString());

    assertThat(images.list()).isEmpty();
    assertThat(images.content().exists(bigBlob)).isFalse();
    try (Stream<Path> layers = Files.list(dir.resolve("layers"))) {
      // The small base layer may have finished; the corrupt one is not there.
      assertThat(layers.count()).isLessThanOrEqualTo(1);
    }
    assertNoTempFiles();

    registry.corruptBlobs.clear();
    ImagePuller.Result again = new ImagePuller(images).pull(client, ref(), Platform.DEFAULT, _ -> {});
    assertThat(images.layers().exists(again.image().layers().get(1).chainId())).isTrue();
    assertThat(images.content().readAll(bigBlob)).isEqualTo(real);
  }

  private Reference ref() {
    return Reference.parse(registry.host() + "/app:v1");
  }

  /** Puts an image of gzip layers made from {@code tars}; returns the layer blob digests. */
  private List<Digest> putImage(byte[]... tars) {
    List<Descriptor> layers = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (byte[] tar : tars) {
      byte[] gz = gzip(tar);
      layers.add(new Descriptor(MediaTypes.OCI_LAYER_GZIP, registry.putBlob(gz), gz.length));
      diffIds.add("\"" + Digest.of(tar) + "\"");
    }
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":" + diffIds + "}}").getBytes();
    Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, registry.putBlob(config), config.length);
    byte[] manifest = ImageJson.write(new ImageManifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers));
    registry.putManifest("app:v1", MediaTypes.OCI_MANIFEST, manifest);
    registry.putManifest("app:" + Digest.of(manifest), MediaTypes.OCI_MANIFEST, manifest);
    return layers.stream().map(Descriptor::digest).toList();
  }

  private void assertNoTempFiles() throws IOException {
    try (Stream<Path> all = Stream.concat(Files.list(dir.resolve("content/blobs/sha256")), Files.list(dir.resolve("layers")))) {
      assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
    }
  }

  private static byte[] tar(String name, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(content.length);
      entry.setMode(0644);
      t.putArchiveEntry(entry);
      t.write(content);
      t.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
