package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelBtfHoleTest {
  @TempDir
  Path dir;

  private static final long VADDR = 0xffffffff81000000L;
  private static final long PADDR = 0x1000000L;
  private static final int SEG_OFFSET = 0x1000;
  private static final int SEG_SIZE = 0x6000;
  /** .BTF from 0x1800 to 0x4800 inside the segment; .BTF_ids after it, in the page where .BTF ends. */
  private static final int BTF_AT = 0x1800;
  private static final int BTF_SIZE = 0x3000;

  /**
   * An ELF64 with a per-CPU PT_LOAD at address 0 (as the kernel's), the text PT_LOAD (text, then
   * .BTF, then .BTF_ids) and a PT_NOTE, and a section table naming .BTF. The per-CPU segment's
   * (zero) bytes are in the file right after the program headers when {@code perCpuRightAfterTable},
   * else after the text segment's.
   */
  private static byte[] elf(boolean perCpuRightAfterTable) {
    byte[] names = "\0.text\0.BTF\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
    int strAt = SEG_OFFSET + SEG_SIZE;
    int perCpuAt = perCpuRightAfterTable ? 64 + 3 * 56 : strAt + 0x40;
    int shoff = strAt + 0x100;
    byte[] b = new byte[shoff + 4 * 64];
    ByteBuffer e = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    e.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1);
    e.putLong(0x20, 64).putLong(0x28, shoff);
    e.putShort(0x36, (short) 56).putShort(0x38, (short) 3).putShort(0x3a, (short) 64).putShort(0x3c, (short) 4)
        .putShort(0x3e, (short) 3);
    e.putInt(64, 1).putLong(64 + 8, perCpuAt).putLong(64 + 16, 0).putLong(64 + 24, PADDR - 0x1000)
        .putLong(64 + 32, 0x40).putLong(64 + 40, 0x40);
    e.putInt(120, 1).putLong(120 + 8, SEG_OFFSET).putLong(120 + 16, VADDR).putLong(120 + 24, PADDR)
        .putLong(120 + 32, SEG_SIZE).putLong(120 + 40, SEG_SIZE);
    e.putInt(176, 4); // a PT_NOTE
    for (int i = 0; i < SEG_SIZE; i++) {
      b[SEG_OFFSET + i] = (byte) 0x90;
    }
    System.arraycopy(names, 0, b, strAt, names.length);
    e.putInt(shoff + 64, 1).putInt(shoff + 64 + 4, 1).putLong(shoff + 64 + 0x10, VADDR)
        .putLong(shoff + 64 + 0x18, SEG_OFFSET).putLong(shoff + 64 + 0x20, BTF_AT);
    e.putInt(shoff + 128, 7).putInt(shoff + 128 + 4, 1).putLong(shoff + 128 + 0x10, VADDR + BTF_AT)
        .putLong(shoff + 128 + 0x18, SEG_OFFSET + BTF_AT).putLong(shoff + 128 + 0x20, BTF_SIZE);
    e.putInt(shoff + 192, 12).putInt(shoff + 192 + 4, 3).putLong(shoff + 192 + 0x18, strAt)
        .putLong(shoff + 192 + 0x20, names.length);
    return b;
  }

  private static ByteBuffer header(Path f, int index) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(f), 64 + index * 56, 56).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void theSegmentIsSplitAroundTheBtfAndTheRestLoadsAsBefore() throws IOException {
    Path f = dir.resolve("vmlinux");
    byte[] before = elf(false);
    Files.write(f, before);

    long cut = KernelBtfHole.cut(f);

    assertThat(cut).isEqualTo(0x4000 - BTF_AT); // from .BTF's start to the page where it ends
    byte[] after = Files.readAllBytes(f);
    ByteBuffer e = ByteBuffer.wrap(after).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(e.getShort(0x38)).isEqualTo((short) 4);
    ByteBuffer perCpu = header(f, 0);
    assertThat(perCpu.getLong(16)).isZero(); // the per-CPU segment (address 0) is not the one split
    assertThat(perCpu.getLong(32)).isEqualTo(0x40);
    ByteBuffer head = header(f, 1);
    assertThat(head.getLong(16)).isEqualTo(VADDR);
    assertThat(head.getLong(32)).isEqualTo(BTF_AT); // the text up to .BTF
    assertThat(head.getLong(40)).isEqualTo(BTF_AT);
    ByteBuffer tail = header(f, 2);
    assertThat(tail.getInt(0)).isEqualTo(1); // PT_LOAD, right after the first part
    assertThat(tail.getLong(8)).isEqualTo(SEG_OFFSET + 0x4000);
    assertThat(tail.getLong(16)).isEqualTo(VADDR + 0x4000);
    assertThat(tail.getLong(24)).isEqualTo(PADDR + 0x4000);
    assertThat(tail.getLong(32)).isEqualTo(SEG_SIZE - 0x4000); // .BTF's last page and .BTF_ids
    assertThat(tail.getLong(40)).isEqualTo(SEG_SIZE - 0x4000);
    assertThat(header(f, 3).getInt(0)).isEqualTo(4); // the note moved down one
    // nothing but the program headers changed: the segments' bytes are where they were
    assertThat(java.util.Arrays.copyOfRange(after, 64 + 4 * 56, after.length))
        .isEqualTo(java.util.Arrays.copyOfRange(before, 64 + 4 * 56, before.length));

    assertThat(KernelBtfHole.cut(f)).isZero(); // a second cut finds .BTF in no segment's bytes
    assertThat(Files.readAllBytes(f)).isEqualTo(after);
  }

  @Test
  void withoutRoomForAnotherProgramHeaderTheKernelIsLeftAsItIs() throws IOException {
    Path f = dir.resolve("vmlinux");
    byte[] before = elf(true); // the per-CPU segment's zeros start where a fourth header would go
    Files.write(f, before);

    assertThat(KernelBtfHole.cut(f)).isZero();

    assertThat(Files.readAllBytes(f)).isEqualTo(before);
  }

  @Test
  void aKernelWithoutBtfOrNotAnElfIsLeftAsItIs() throws IOException {
    Path f = dir.resolve("vmlinux");
    byte[] noBtf = elf(false);
    noBtf[SEG_OFFSET + SEG_SIZE + 8] = 'X'; // ".BTF" becomes ".XTF"
    Files.write(f, noBtf);
    assertThat(KernelBtfHole.cut(f)).isZero();
    assertThat(Files.readAllBytes(f)).isEqualTo(noBtf);

    Files.write(f, "MZ not an ELF at all, a bzImage perhaps".getBytes(StandardCharsets.US_ASCII));
    assertThat(KernelBtfHole.cut(f)).isZero();
  }

  @Test
  void headersPointingOutsideTheFileLeaveItAsItIs() throws IOException {
    Path f = dir.resolve("vmlinux");
    byte[] odd = elf(false);
    ByteBuffer.wrap(odd).order(ByteOrder.LITTLE_ENDIAN).putLong(0x28, -64L); // a negative section table offset
    Files.write(f, odd);

    assertThat(KernelBtfHole.cut(f)).isZero();
    assertThat(Files.readAllBytes(f)).isEqualTo(odd);
  }
}
