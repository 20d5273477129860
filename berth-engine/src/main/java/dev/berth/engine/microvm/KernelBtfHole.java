package dev.berth.engine.microvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Leaves the kernel's {@code .BTF} section (its type information for BPF, 4 MiB in Debian's 6.1)
 * out of what QEMU loads into a microVM's RAM: the load segment that holds it is split in two
 * around it. QEMU writes every byte of a load segment into guest RAM, so those 4 MiB were resident
 * in every microVM's QEMU; and the guest kernel parses all of it (~100,000 types) when the first
 * module with BTF of its own loads, ~60 ms of CPU under TCG and more guest memory. Without it the
 * guest's RAM there is zeros: the parse fails at its magic number, the kernel warns once and loads
 * the modules without their BTF (Debian sets {@code CONFIG_MODULE_ALLOW_BTF_MISMATCH}). The guest
 * kernel's BPF verifier needs that BTF for every eBPF program ("in-kernel BTF is malformed"):
 * classic BPF (seccomp, socket filters) is not verified there and works.
 *
 * <p>The second part starts at the page where {@code .BTF} ends, so what follows it in the
 * segment ({@code .BTF_ids}, which the BPF verifier reads) is loaded as before. The split needs one
 * more program header: there must be zeros after the table, before any segment's or section's
 * bytes. A container that may load eBPF programs boots the kernel as it was (decision 3700).
 */
final class KernelBtfHole {
  private static final int PT_LOAD = 1;
  private static final int PT_PHDR = 6;
  private static final int SHT_NOBITS = 8;
  private static final int PHENT = 56;
  private static final long PAGE = 4096;

  private KernelBtfHole() {}

  /** Rewrites the program headers of the ELF64 at {@code vmlinux} in place; returns the bytes no longer loaded. */
  static long cut(Path vmlinux) throws IOException {
    try (FileChannel f = FileChannel.open(vmlinux, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (f.size() < 64) {
        return 0;
      }
      ByteBuffer eh = KernelZeroTail.read(f, 0, 64);
      if (eh.getInt(0) != 0x464c457f || eh.get(4) != 2 || eh.get(5) != 1
          || Short.toUnsignedInt(eh.getShort(0x36)) != PHENT) {
        return 0; // not a little-endian ELF64: boot it as it is
      }
      long phoff = eh.getLong(0x20);
      int phnum = Short.toUnsignedInt(eh.getShort(0x38));
      if (phoff < 64 || phoff > f.size()) {
        return 0;
      }
      long[] btf = section(f, eh, ".BTF");
      if (btf == null || btf[1] < 2 * PAGE) {
        return 0;
      }
      long btfStart = btf[0];
      long btfEnd = btf[0] + btf[1];
      List<ByteBuffer> headers = new ArrayList<>();
      // The grown table must end before anything else the file holds: segments' bytes, the section
      // headers and the sections' bytes.
      long nextData = btf[2];
      for (int i = 0; i < phnum; i++) {
        ByteBuffer ph = KernelZeroTail.read(f, phoff + (long) i * PHENT, PHENT);
        headers.add(ph);
        if (ph.getInt(0) == PT_PHDR) {
          return 0; // a segment that describes the table itself would have to grow with it
        }
        if (ph.getLong(32) > 0 && ph.getLong(8) >= phoff) {
          nextData = Math.min(nextData, ph.getLong(8));
        }
      }
      long tableEnd = phoff + (long) (phnum + 1) * PHENT;
      if (tableEnd > nextData || tableEnd > f.size()
          || !KernelZeroTail.zeros(f, phoff + (long) phnum * PHENT, tableEnd)) {
        return 0; // no room for one more program header
      }
      for (int i = 0; i < phnum; i++) {
        ByteBuffer ph = headers.get(i);
        long vaddr = ph.getLong(16);
        long filesz = ph.getLong(32);
        long memsz = ph.getLong(40);
        long resume = btfEnd & -PAGE; // the page with .BTF's last bytes and what follows it stays
        if (ph.getInt(0) != PT_LOAD || Long.compareUnsigned(btfStart, vaddr) <= 0
            || Long.compareUnsigned(btfEnd, vaddr + filesz) > 0 || Long.compareUnsigned(resume, btfStart) <= 0) {
          continue;
        }
        long head = btfStart - vaddr;
        long skip = resume - vaddr;
        ByteBuffer tail = ByteBuffer.allocate(PHENT).order(ByteOrder.LITTLE_ENDIAN).put(ph.duplicate().rewind()).flip();
        tail.putLong(8, ph.getLong(8) + skip).putLong(16, vaddr + skip).putLong(24, ph.getLong(24) + skip)
            .putLong(32, filesz - skip).putLong(40, memsz - skip);
        ph.putLong(32, head).putLong(40, head);
        headers.add(i + 1, tail);
        ByteBuffer table = ByteBuffer.allocate(headers.size() * PHENT).order(ByteOrder.LITTLE_ENDIAN);
        for (ByteBuffer h : headers) {
          table.put(h.duplicate().rewind());
        }
        f.write(table.flip(), phoff);
        f.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) (phnum + 1)), 0x38);
        return skip - head;
      }
      return 0;
    }
  }

  /**
   * {address, size, lowest file offset of the section headers and of any section's bytes} of the
   * named section; null without section headers or without it.
   */
  private static long[] section(FileChannel f, ByteBuffer eh, String name) throws IOException {
    long shoff = eh.getLong(0x28);
    int shentsize = Short.toUnsignedInt(eh.getShort(0x3a));
    int shnum = Short.toUnsignedInt(eh.getShort(0x3c));
    int shstrndx = Short.toUnsignedInt(eh.getShort(0x3e));
    if (shoff < 64 || shnum == 0 || shentsize < 64 || shstrndx >= shnum || shoff > f.size()
        || shoff + (long) shnum * shentsize > f.size()) {
      return null;
    }
    ByteBuffer sh = KernelZeroTail.read(f, shoff, shnum * shentsize);
    long strOffset = sh.getLong(shstrndx * shentsize + 0x18);
    long strSize = sh.getLong(shstrndx * shentsize + 0x20);
    if (strOffset < 0 || strSize <= 0 || strSize > 1 << 20 || strOffset > f.size() - strSize) {
      return null;
    }
    ByteBuffer names = KernelZeroTail.read(f, strOffset, (int) strSize);
    byte[] wanted = (name + "\0").getBytes(StandardCharsets.US_ASCII);
    long[] found = null;
    long lowest = shoff;
    for (int s = 0; s < shnum; s++) {
      int base = s * shentsize;
      if (sh.getInt(base + 4) != SHT_NOBITS && sh.getLong(base + 0x20) > 0 && sh.getLong(base + 0x18) > 0) {
        lowest = Math.min(lowest, sh.getLong(base + 0x18));
      }
      long at = Integer.toUnsignedLong(sh.getInt(base));
      if (found == null && at <= strSize - wanted.length
          && names.slice((int) at, wanted.length).equals(ByteBuffer.wrap(wanted))) {
        found = new long[] {sh.getLong(base + 0x10), sh.getLong(base + 0x20), 0};
      }
    }
    if (found != null) {
      found[2] = lowest;
    }
    return found;
  }
}
