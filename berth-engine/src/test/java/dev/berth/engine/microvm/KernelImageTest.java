package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;

class KernelImageTest {
  /** A stand-in vmlinux: the ELF magic and bytes that do not compress to nothing. */
  private static byte[] elf(int size) {
    byte[] b = new byte[size];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] = 0x7f;
    b[1] = 'E';
    b[2] = 'L';
    b[3] = 'F';
    return b;
  }

  private interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static byte[] compress(byte[] data, Compressor c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = c.wrap(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  /**
   * A bzImage as the kernel's build lays it out: setup sectors with the "HdrS" header, then the
   * protected-mode part whose payload (compressed vmlinux + its 4-byte size, as the kernel appends
   * it) sits at payload_offset.
   */
  private static byte[] bzImage(byte[] payload, int setupSects, int payloadOffset) {
    int start = (setupSects + 1) * 512 + payloadOffset;
    byte[] image = new byte[start + payload.length + 4 + 100];
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    image[0x1f1] = (byte) setupSects;
    image[0x202] = 'H';
    image[0x203] = 'd';
    image[0x204] = 'r';
    image[0x205] = 'S';
    b.putShort(0x206, (short) 0x020f);
    b.putInt(0x248, payloadOffset);
    b.putInt(0x24c, payload.length + 4);
    System.arraycopy(payload, 0, image, start, payload.length);
    b.putInt(start + payload.length, 12345); // the uncompressed size the kernel's build appends
    return image;
  }

  private static byte[] uncompress(byte[] image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    KernelImage.uncompress(image, out);
    return out.toByteArray();
  }

  @Test
  void cutsTheXzPayloadOutOfABzImage() throws IOException {
    byte[] vmlinux = elf(300_000);
    byte[] image = bzImage(compress(vmlinux, XZCompressorOutputStream::new), 39, 716);

    assertThat(uncompress(image)).isEqualTo(vmlinux);
  }

  @Test
  void gzipPayloadsAndZeroSetupSectorsWork() throws IOException {
    byte[] vmlinux = elf(50_000);
    // setup_sects 0 means 4 (old boot loaders' rule)
    byte[] image = bzImage(compress(vmlinux, GZIPOutputStream::new), 4, 1000);
    image[0x1f1] = 0;

    assertThat(uncompress(image)).isEqualTo(vmlinux);
  }

  @Test
  void anElfKernelIsUsedAsItIs() throws IOException {
    byte[] vmlinux = elf(4096);
    assertThat(uncompress(vmlinux)).isEqualTo(vmlinux);
  }

  @Test
  void somethingElseIsRefusedWithTheReason() {
    assertThatThrownBy(() -> uncompress(new byte[4096])).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("not a Linux bzImage");

    byte[] notElf = new byte[1000];
    Arrays.fill(notElf, (byte) 'x');
    byte[] image;
    try {
      image = bzImage(compress(notElf, XZCompressorOutputStream::new), 2, 0);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> uncompress(image)).hasMessageContaining("not an ELF vmlinux");

    byte[] lz4 = bzImage(new byte[] {0x02, 0x21, 0x4c, 0x18, 1, 2, 3}, 2, 0);
    assertThatThrownBy(() -> uncompress(lz4)).hasMessageContaining("unsupported kernel compression");
  }

  @Test
  void aPayloadPastTheEndIsRefused() {
    byte[] image = bzImage(new byte[100], 2, 0);
    ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(0x24c, 1 << 20);
    assertThatThrownBy(() -> uncompress(image)).hasMessageContaining("runs past its end");
  }
}
