package dev.berth.engine.image;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.layer.Layer;
import dev.berth.engine.image.layer.LayerBlobs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * Takes a layer blob from a local file (load, import) into the content store and the layer
 * store: hash it, store it, find its media type and diff ID, unpack it on top of its parent.
 */
public final class LayerFiles {
  private LayerFiles() {}

  /** Stores {@code file} in the content store by its digest; its descriptor. */
  public static Descriptor storeBlob(ContentStore content, Path file, String mediaType) throws IOException {
    MessageDigest sha = Digest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    Digest digest = Digest.fromSha256(sha.digest());
    long size = Files.size(file);
    content.write(digest, size, size, () -> Files.newInputStream(file), _ -> {});
    return new Descriptor(mediaType, digest, size);
  }

  /** Stores a layer file and unpacks it; {@code expectedDiffId} null means: whatever it is. */
  public static Image.ImageLayer ingest(ImageService images, Path file, String parentChainId, Digest expectedDiffId)
      throws IOException {
    String mediaType;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      mediaType = LayerBlobs.mediaType(in);
    }
    Descriptor blob = storeBlob(images.content(), file, mediaType);
    Digest diffId = expectedDiffId;
    if (diffId == null) {
      try (InputStream in = Files.newInputStream(file)) {
        diffId = Digest.parse(LayerBlobs.diffId(in));
      }
    }
    Layer layer = images.layers().ensure(parentChainId, diffId.toString(), mediaType,
        () -> images.content().open(blob.digest()));
    return new Image.ImageLayer(diffId, layer.chainId(), blob);
  }
}
