package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelZeroTailTest {
  @TempDir
  Path dir;

  private static final long VADDR = 0xffffffff81000000L;

  /**
   * An ELF64 with one PT_LOAD at file offset 0x1000 of {@code filesz} bytes: .text (0x100 bytes
   * of 0x90), then a NOBITS .bss of 0x1000 bytes at 0x200 and a PROGBITS section after it (the
   * kernel's .init.scratch), whose bytes are {@code tail}.
   */
  private static byte[] elf(int filesz, byte tail) {
    int shoff = 0x1000 + filesz;
    byte[] b = new byte[shoff + 3 * 64];
    ByteBuffer e = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    e.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1);
    e.putLong(0x20, 64).putLong(0x28, shoff);
    e.putShort(0x36, (short) 56).putShort(0x38, (short) 1).putShort(0x3a, (short) 64).putShort(0x3c, (short) 3);
    e.putInt(64, 1).putLong(64 + 8, 0x1000).putLong(64 + 16, VADDR).putLong(64 + 32, filesz).putLong(64 + 40, filesz);
    for (int i = 0; i < 0x100; i++) {
      b[0x1000 + i] = (byte) 0x90;
    }
    for (int i = 0x300; i < filesz; i++) {
      b[0x1000 + i] = tail;
    }
    section(e, shoff + 64, 1, VADDR); // .text
    section(e, shoff + 128, 8, VADDR + 0x200).putLong(shoff + 128 + 0x20, 0x1000); // .bss
    return b;
  }

  private static ByteBuffer section(ByteBuffer e, int at, int type, long addr) {
    return e.putInt(at + 4, type).putLong(at + 0x10, addr);
  }

  private static long filesz(Path f) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong(64 + 32);
  }

  private static long memsz(Path f) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong(64 + 40);
  }

  @Test
  void zerosFromTheBssToTheSegmentsEndAreNoLongerLoadedFromTheFile() throws IOException {
    Path f = dir.resolve("vmlinux");
    Files.write(f, elf(0x4000, (byte) 0));

    assertThat(KernelZeroTail.trim(f)).isEqualTo(0x4000 - 0x200);

    assertThat(filesz(f)).isEqualTo(0x200); // the loaded .text stays
    // QEMU zero-fills up to the .bss's end (a page): the zeros after it are the guest's free RAM, zeros anyway
    assertThat(memsz(f)).isEqualTo(0x2000);
  }

  @Test
  void aSegmentWithDataAfterItsBssIsKept() throws IOException {
    Path f = dir.resolve("vmlinux");
    Files.write(f, elf(0x4000, (byte) 1));

    assertThat(KernelZeroTail.trim(f)).isZero();

    assertThat(filesz(f)).isEqualTo(0x4000);
    assertThat(memsz(f)).isEqualTo(0x4000);
  }

  @Test
  void notAnElfIsLeftAsItIs() throws IOException {
    Path f = dir.resolve("vmlinux");
    byte[] junk = new byte[4096];
    Files.write(f, junk);

    assertThat(KernelZeroTail.trim(f)).isZero();
    assertThat(Files.readAllBytes(f)).isEqualTo(junk);
  }
}
