package dev.berth.engine.microvm;

import com.github.luben.zstd.ZstdInputStream;
import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Cuts the compressed vmlinux out of a bzImage and decompresses it. QEMU boots the ELF
 * directly through its PVH entry, which skips the kernel's own decompressor: under TCG that
 * decompression is most of the boot time.
 *
 * <p>The x86 boot protocol's setup header says where the payload is: {@code setup_sects} at
 * 0x1f1 (0 means 4), {@code payload_offset} and {@code payload_length} at 0x248/0x24c, counted
 * from the protected-mode code that follows the {@code (setup_sects + 1) * 512} setup bytes.
 */
public final class KernelImage {
  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
  private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
  private static final byte[] GZIP = {0x1f, (byte) 0x8b};
  private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

  private KernelImage() {}

  /** Writes the uncompressed ELF kernel of {@code image} (a bzImage, or already an ELF) to {@code out}. */
  public static void uncompress(byte[] image, OutputStream out) throws IOException {
    if (startsWith(image, 0, ELF)) {
      out.write(image);
      return;
    }
    byte[] payload = payload(image);
    try (InputStream in = decompressor(payload)) {
      byte[] head = in.readNBytes(4);
      if (!Arrays.equals(head, ELF)) {
        throw new BerthException.InvalidArgument("the kernel's payload is not an ELF vmlinux");
      }
      out.write(head);
      in.transferTo(out);
    }
  }

  /** The compressed payload of a bzImage. */
  static byte[] payload(byte[] image) {
    if (image.length < 0x250 || image[0x202] != 'H' || image[0x203] != 'd' || image[0x204] != 'r'
        || image[0x205] != 'S') {
      throw new BerthException.InvalidArgument("not a Linux bzImage (no \"HdrS\" setup header) nor an ELF vmlinux");
    }
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(b.getShort(0x206));
    if (version < 0x208) {
      throw new BerthException.InvalidArgument("the bzImage's boot protocol " + Integer.toHexString(version)
          + " is older than 2.08 and does not say where its payload is");
    }
    int setupSects = Byte.toUnsignedInt(image[0x1f1]) == 0 ? 4 : Byte.toUnsignedInt(image[0x1f1]);
    long start = (setupSects + 1L) * 512 + Integer.toUnsignedLong(b.getInt(0x248));
    long length = Integer.toUnsignedLong(b.getInt(0x24c));
    if (start + length > image.length) {
      throw new BerthException.InvalidArgument("the bzImage's payload (" + length + " bytes at " + start
          + ") runs past its end (" + image.length + " bytes)");
    }
    return Arrays.copyOfRange(image, (int) start, (int) (start + length));
  }

  /** A stream that inflates {@code data} by its magic bytes: xz, gzip or zstd. */
  static InputStream decompressor(byte[] data) throws IOException {
    InputStream raw = new ByteArrayInputStream(data);
    if (startsWith(data, 0, XZ)) {
      // One stream only: the kernel's build appends the uncompressed size after it.
      return new XZCompressorInputStream(raw, false);
    }
    if (startsWith(data, 0, GZIP)) {
      return new GZIPInputStream(raw, 64 * 1024);
    }
    if (startsWith(data, 0, ZSTD)) {
      return new ZstdInputStream(raw);
    }
    throw new BerthException.InvalidArgument("unsupported kernel compression (magic "
        + java.util.HexFormat.of().formatHex(data, 0, Math.min(6, data.length)) + "); use xz, gzip or zstd");
  }

  static boolean startsWith(byte[] data, int offset, byte[] magic) {
    if (data.length < offset + magic.length) {
      return false;
    }
    return Arrays.equals(data, offset, offset + magic.length, magic, 0, magic.length);
  }
}
