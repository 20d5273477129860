package dev.berth.engine.image.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Facts about a layer blob that callers outside the unpacker need: its media type and diff ID. */
public final class LayerBlobs {
  private LayerBlobs() {}

  /** The OCI media type matching the blob's compression, judged by its magic bytes. */
  public static String mediaType(InputStream blob) throws IOException {
    BufferedInputStream in = blob instanceof BufferedInputStream b ? b : new BufferedInputStream(blob);
    return switch (Compression.sniff(in)) {
      case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
      case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
      case NONE -> "application/vnd.oci.image.layer.v1.tar";
    };
  }

  /** The diff ID: sha256 of the uncompressed tar stream, as {@code sha256:<hex>}. */
  public static String diffId(InputStream blob) throws IOException {
    BufferedInputStream in = new BufferedInputStream(blob);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream plain = Compression.sniff(in).decompress(in);
        OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
      plain.transferTo(sink);
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }
}
