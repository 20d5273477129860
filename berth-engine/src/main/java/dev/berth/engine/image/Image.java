package dev.berth.engine.image;

import dev.berth.engine.content.Digest;
import java.time.Instant;
import java.util.List;

/**
 * A stored image as callers see it.
 *
 * @param id the digest of the config (Docker's image ID)
 * @param config the parsed config; {@code configBytes} are the exact bytes hashed into the ID
 * @param repoTags references (name:tag) naming it
 * @param repoDigests references (name@digest) it was pulled from or pushed to
 * @param manifestDigest the single-platform manifest it came from, or null (imported, loaded)
 * @param layers bottom first
 * @param size bytes of its unpacked layers
 * @param storedAt when it was stored here
 */
public record Image(
    Digest id,
    ImageConfig config,
    byte[] configBytes,
    List<Reference> repoTags,
    List<Reference> repoDigests,
    Digest manifestDigest,
    String manifestMediaType,
    List<ImageLayer> layers,
    long size,
    Instant storedAt,
    Instant lastTagTime) {

  public Image {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
    layers = List.copyOf(layers);
  }

  /** The first 12 hex characters of the ID, as Docker shows it. */
  public String shortId() {
    return id.hex().substring(0, 12);
  }

  /** One layer: its uncompressed diff ID, the chain ID keying its unpacked dir, and its blob. */
  public record ImageLayer(Digest diffId, String chainId, Descriptor blob) {}
}
