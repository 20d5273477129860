package dev.berth.engine.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer unpacked while its blob is stored ({@link ContentStore#readThrough} feeding {@link
 * LayerStore#ensure}), as a pull does: both appear only when both check out, and a failure of
 * either leaves neither.
 */
class LayerReadThroughTest {
  private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  @TempDir Path dataRoot;

  private ContentStore content;
  private LayerStore layers;
  private byte[] tar;
  private byte[] blob;
  private String diffId;

  @BeforeEach
  void setUp() throws IOException {
    content = ContentStore.open(dataRoot.resolve("content"));
    layers = LayerStore.open(dataRoot, new LayerUnpacker());
    byte[] data = new byte[900_000]; // incompressible, so the blob spans several chunks
    new Random(7).nextBytes(data);
    tar = new TarBuilder().file("data/blob", data, 0644).file("etc/hostname", "berth").tar();
    blob = TarBuilder.gzip(tar);
    diffId = TarBuilder.sha256(tar);
  }

  @Test
  void unpacksTheLayerAndStoresTheBlobInOneRead() throws IOException {
    Digest digest = Digest.of(blob);
    int[] opens = {0};

    Layer layer = layers.ensure(null, diffId, GZIP, () -> content.readThrough(digest, blob.length, blob.length,
        () -> {
          opens[0]++;
          return new ByteArrayInputStream(blob);
        }, _ -> {}));

    assertThat(opens[0]).isEqualTo(1);
    assertThat(content.path(digest)).hasBinaryContent(blob);
    assertThat(layer.diffDir().resolve("etc/hostname")).hasContent("berth");
    assertThat(layer.size()).isEqualTo(tar.length);
    assertThat(entries(dataRoot.resolve("layers"))).containsExactly(Digests.hex(layer.chainId()));
  }

  @Test
  void aBlobDigestMismatchLeavesNoLayerAndNoBlobAndTheNextTrySucceeds() throws IOException {
    Digest claimed = Digest.of("some other blob".getBytes());

    assertThatThrownBy(() -> layers.ensure(null, diffId, GZIP,
            () -> content.readThrough(claimed, blob.length, blob.length, () -> new ByteArrayInputStream(blob), _ -> {})))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining(claimed.toString());

    assertThat(entries(dataRoot.resolve("layers"))).isEmpty();
    assertThat(entries(dataRoot.resolve("content/blobs/sha256"))).isEmpty();

    Digest digest = Digest.of(blob);
    Layer layer = layers.ensure(null, diffId, GZIP,
        () -> content.readThrough(digest, blob.length, blob.length, () -> new ByteArrayInputStream(blob), _ -> {}));
    assertThat(layer.diffDir().resolve("etc/hostname")).hasContent("berth");
    assertThat(content.list()).containsExactly(digest);
  }

  @Test
  void aDiffIdMismatchLeavesNoLayerButKeepsTheVerifiedBlob() throws IOException {
    Digest digest = Digest.of(blob);
    String wrongDiffId = TarBuilder.sha256("not this layer".getBytes());

    assertThatThrownBy(() -> layers.ensure(null, wrongDiffId, GZIP,
            () -> content.readThrough(digest, blob.length, blob.length, () -> new ByteArrayInputStream(blob), _ -> {})))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("diff ID");

    assertThat(entries(dataRoot.resolve("layers"))).isEmpty();
    // The diff ID is known only at the end of the tar, after the blob checked out: the blob is
    // the registry's, correct under its name, and the next pull reuses it.
    assertThat(entries(dataRoot.resolve("content/blobs/sha256"))).containsExactly(digest.hex());
  }

  @Test
  void aConnectionLostMidLayerReachesTheCallerAsASourceFailureAndLeavesNothing() {
    Digest digest = Digest.of(blob);
    ContentStore.Source cutShort = () -> new InputStream() {
      private final InputStream in = new ByteArrayInputStream(blob, 0, blob.length / 2);

      @Override
      public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection reset by peer");
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
          throw new IOException("connection reset by peer");
        }
        return n;
      }
    };

    // Unchanged through the decompressor and the tar reader, so the puller can retry it.
    assertThatThrownBy(() -> layers.ensure(null, diffId, GZIP,
            () -> content.readThrough(digest, blob.length, blob.length, cutShort, _ -> {})))
        .isInstanceOf(ContentStore.SourceFailedException.class)
        .hasMessageContaining("connection reset by peer");

    assertThat(entries(dataRoot.resolve("layers"))).isEmpty();
    assertThat(entries(dataRoot.resolve("content/blobs/sha256"))).isEmpty();
  }

  private static List<String> entries(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
