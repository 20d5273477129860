package dev.berth.engine.image.layer;

/**
 * What unpacking one layer produced.
 *
 * @param diffId "sha256:&lt;hex&gt;" of the uncompressed tar stream, as in an image config's
 *     rootfs.diff_ids
 * @param uncompressedSize bytes of the uncompressed tar stream (headers and padding included)
 * @param entries tar entries read, whiteouts and skipped entries included
 */
public record UnpackResult(String diffId, long uncompressedSize, long entries) {}
