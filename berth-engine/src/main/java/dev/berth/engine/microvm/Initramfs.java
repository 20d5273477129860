package dev.berth.engine.microvm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * An initramfs: a newc cpio archive (uncompressed, so the guest spends no time inflating it)
 * of directories, files and device nodes, written in the order they were added.
 */
public final class Initramfs {
  /** One entry; {@code data} is null for directories and device nodes. */
  public record Entry(String path, long mode, byte[] data, int rdevMajor, int rdevMinor) {}

  private final List<Entry> entries = new ArrayList<>();

  public Initramfs dir(String path) {
    entries.add(new Entry(path, CpioConstants.C_ISDIR | 0755, null, 0, 0));
    return this;
  }

  public Initramfs file(String path, int perm, byte[] data) {
    entries.add(new Entry(path, CpioConstants.C_ISREG | perm, data, 0, 0));
    return this;
  }

  public Initramfs file(String path, int perm, String text) {
    return file(path, perm, text.getBytes(StandardCharsets.UTF_8));
  }

  public Initramfs charDevice(String path, int major, int minor) {
    entries.add(new Entry(path, CpioConstants.C_ISCHR | 0600, null, major, minor));
    return this;
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  public void writeTo(OutputStream out) throws IOException {
    try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
      long ino = 1;
      for (Entry e : entries) {
        CpioArchiveEntry a = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, e.path());
        a.setMode(e.mode());
        a.setInode(ino++);
        a.setNumberOfLinks((e.mode() & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 2 : 1);
        a.setTime(0); // reproducible: the same inputs give the same bytes
        a.setSize(e.data() == null ? 0 : e.data().length);
        if (e.rdevMajor() != 0 || e.rdevMinor() != 0) {
          a.setRemoteDeviceMaj(e.rdevMajor());
          a.setRemoteDeviceMin(e.rdevMinor());
        }
        cpio.putArchiveEntry(a);
        if (e.data() != null) {
          cpio.write(e.data());
        }
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
  }
}
