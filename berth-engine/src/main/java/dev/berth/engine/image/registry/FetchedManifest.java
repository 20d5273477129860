package dev.berth.engine.image.registry;

import dev.berth.engine.content.Digest;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageManifest;

/**
 * A manifest as fetched: its digest (sha256 of the bytes as received), media type and the
 * original bytes, which must be kept as they are for the digest to stay true.
 */
public sealed interface FetchedManifest {
  Digest digest();

  String mediaType();

  byte[] bytes();

  /** A single-platform image manifest. */
  record Image(Digest digest, String mediaType, byte[] bytes, ImageManifest manifest)
      implements FetchedManifest {}

  /** A multi-platform index / manifest list. */
  record Index(Digest digest, String mediaType, byte[] bytes, ImageIndex index)
      implements FetchedManifest {}

  /**
   * The result of resolving a reference for one platform.
   *
   * @param top what the reference names (the index, or the manifest itself); its digest is the
   *     image's repo digest
   * @param image the manifest for the chosen platform
   */
  record Resolved(FetchedManifest top, Image image) {}
}
