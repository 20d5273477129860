package dev.berth.engine.microvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Shortens the file part of a vmlinux's load segments that is only zeros: from the first
 * {@code NOBITS} section in a segment ({@code .bss}) to the segment's end. The kernel's own
 * build stores the last segment's {@code .bss}, {@code .brk} and {@code .init.scratch} as
 * ~23 MiB of zero bytes in the file (a PROGBITS section follows them). QEMU keeps the ELF
 * mapped for its whole life (to reload it at a reset) and faults in every page it copies, so
 * those zeros cost each microVM's QEMU their size in RSS. With {@code p_filesz} ending where the
 * zeros begin, QEMU zero-fills the rest ({@code p_memsz} is unchanged): the guest sees the same
 * memory. A segment with any non-zero byte after its {@code .bss} is left as it is.
 *
 * <p>The segment's memory also ends (page-aligned) where its last {@code NOBITS} section ends
 * ({@code .brk} in the last segment): what follows is zeros in the file, and a microVM's RAM is
 * zeros before QEMU loads anything (it is never reset: -no-reboot), so the guest sees the same
 * bytes. QEMU zero-fills up to {@code p_memsz}, and every page it writes stays resident: the 4 MiB
 * {@code .init.scratch} after {@code .brk} (only SME's early boot uses it) and the padding before
 * it are free memory to the kernel, which reserves its image only up to {@code .brk}'s end, so
 * most of it is never touched by the guest. 2 MiB less QEMU RSS measured (decision 3100).
 */
final class KernelZeroTail {
  private static final int PT_LOAD = 1;
  private static final int SHT_NOBITS = 8;
  private static final long PAGE = 4096;

  private KernelZeroTail() {}

  /** Rewrites the program headers of the ELF64 at {@code vmlinux} in place; returns the bytes no longer loaded from the file. */
  static long trim(Path vmlinux) throws IOException {
    try (FileChannel f = FileChannel.open(vmlinux, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (f.size() < 64) {
        return 0; // too short for an ELF64 header: boot it as it is
      }
      ByteBuffer eh = read(f, 0, 64);
      if (eh.getInt(0) != 0x464c457f || eh.get(4) != 2 || eh.get(5) != 1) {
        return 0; // not a little-endian ELF64: boot it as it is
      }
      long phoff = eh.getLong(0x20);
      long shoff = eh.getLong(0x28);
      int phentsize = Short.toUnsignedInt(eh.getShort(0x36));
      int phnum = Short.toUnsignedInt(eh.getShort(0x38));
      int shentsize = Short.toUnsignedInt(eh.getShort(0x3a));
      int shnum = Short.toUnsignedInt(eh.getShort(0x3c));
      ByteBuffer sh = shoff == 0 || shnum == 0 ? ByteBuffer.allocate(0) : read(f, shoff, shnum * shentsize);
      long saved = 0;
      for (int i = 0; i < phnum; i++) {
        long at = phoff + (long) i * phentsize;
        ByteBuffer ph = read(f, at, 56);
        if (ph.getInt(0) != PT_LOAD) {
          continue;
        }
        long offset = ph.getLong(8);
        long vaddr = ph.getLong(16);
        long filesz = ph.getLong(32);
        long memsz = ph.getLong(40);
        long cut = firstNobits(sh, shnum, shentsize, vaddr, memsz);
        if (cut < 0 || cut >= filesz || !zeros(f, offset + cut, offset + filesz)) {
          continue;
        }
        f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, cut), at + 32);
        saved += filesz - cut;
        long end = (lastNobitsEnd(sh, shnum, shentsize, vaddr, memsz) + PAGE - 1) & -PAGE;
        if (end >= cut && end < memsz) {
          f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, end), at + 40);
        }
      }
      return saved;
    }
  }

  /** The segment-relative address of the first NOBITS section inside [vaddr, vaddr + memsz); -1 if none. */
  private static long firstNobits(ByteBuffer sh, int shnum, int shentsize, long vaddr, long memsz) {
    long first = -1;
    for (int s = 0; s < shnum && (long) (s + 1) * shentsize <= sh.capacity(); s++) {
      int base = s * shentsize;
      long addr = sh.getLong(base + 0x10);
      if (sh.getInt(base + 4) == SHT_NOBITS && Long.compareUnsigned(addr, vaddr) >= 0
          && Long.compareUnsigned(addr - vaddr, memsz) < 0 && (first < 0 || addr - vaddr < first)) {
        first = addr - vaddr;
      }
    }
    return first;
  }

  /** Where the last NOBITS section inside [vaddr, vaddr + memsz) ends, segment-relative; -1 if none. */
  private static long lastNobitsEnd(ByteBuffer sh, int shnum, int shentsize, long vaddr, long memsz) {
    long last = -1;
    for (int s = 0; s < shnum && (long) (s + 1) * shentsize <= sh.capacity(); s++) {
      int base = s * shentsize;
      long addr = sh.getLong(base + 0x10);
      long end = addr - vaddr + sh.getLong(base + 0x20);
      if (sh.getInt(base + 4) == SHT_NOBITS && Long.compareUnsigned(addr, vaddr) >= 0
          && Long.compareUnsigned(addr - vaddr, memsz) < 0 && end <= memsz && end > last) {
        last = end;
      }
    }
    return last;
  }

  /**
   * Whether the file's bytes in [from, to) are all zeros (false when it ends before {@code to});
   * KernelBtfHole uses it too.
   */
  static boolean zeros(FileChannel f, long from, long to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    for (long pos = from; pos < to; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
      int n = f.read(buf, pos);
      if (n <= 0) {
        return false; // the file ends early: not ours to judge
      }
      for (int i = 0; i < n; i++) {
        if (buf.get(i) != 0) {
          return false;
        }
      }
      pos += n;
    }
    return true;
  }

  /** {@code size} little-endian bytes of the kernel ELF at {@code at}; KernelBtfHole uses it too. */
  static ByteBuffer read(FileChannel f, long at, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (f.read(b, at + b.position()) < 0) {
        throw new IOException("the kernel ELF ends at " + (at + b.position()) + ", inside its headers");
      }
    }
    return b.flip();
  }
}
