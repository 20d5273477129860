package dev.berth.engine.image.registry;

import dev.berth.engine.content.Digest;

/** What happens to each blob of a parallel fetch; listeners are called from several threads. */
public sealed interface BlobProgress {
  Digest digest();

  /** The blob was already in the content store; nothing is downloaded. */
  record AlreadyPresent(Digest digest, long size) implements BlobProgress {}

  /** The download begins. */
  record Started(Digest digest, long total) implements BlobProgress {}

  /** Bytes stored so far (reported every few hundred KiB, and at the end). */
  record Downloading(Digest digest, long current, long total) implements BlobProgress {}

  /** The blob is verified and stored. */
  record Completed(Digest digest, long size) implements BlobProgress {}

  /** The download failed; the whole fetch fails with the same message. */
  record Failed(Digest digest, String message) implements BlobProgress {}
}
