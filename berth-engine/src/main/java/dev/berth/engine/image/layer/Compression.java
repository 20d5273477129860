package dev.berth.engine.image.layer;

import dev.berth.engine.BerthException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * How a layer blob is compressed. The magic bytes decide, not the media type: registries and
 * hand-made images mislabel layers, and a wrong guess would only fail later as a corrupt tar.
 */
enum Compression {
  NONE,
  GZIP,
  ZSTD;

  private static final Set<String> LAYER_MEDIA_TYPES = Set.of(
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar");

  /** Refuses media types that are not layers (a config or manifest passed by mistake). */
  static void requireLayerMediaType(String mediaType) {
    if (mediaType == null || mediaType.isBlank()) {
      return; // unknown: the magic bytes decide
    }
    String bare = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!LAYER_MEDIA_TYPES.contains(bare)) {
      throw new BerthException.InvalidArgument("media type " + mediaType
          + " is not a layer; expected an OCI or Docker layer tar (plain, +gzip or +zstd)");
    }
  }

  /** Peeks at the first bytes of {@code in} (which must support mark) without consuming them. */
  static Compression sniff(BufferedInputStream in) throws IOException {
    in.mark(4);
    byte[] head = in.readNBytes(4);
    in.reset();
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      // Concatenated members are valid gzip (pigz and some builders write them).
      case GZIP -> GzipCompressorInputStream.builder().setInputStream(in)
          .setDecompressConcatenated(true).get();
      case ZSTD -> new ZstdCompressorInputStream(in);
    };
  }
}
