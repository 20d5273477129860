package dev.berth.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Tar streams a hostile client would send: each entry kind that could escape a root or exhaust one. */
public final class HostileTars {
  /** One entry of a hostile tar: its name, kind, link target and content. */
  public record Entry(String name, byte kind, String link, byte[] content, Map<String, String> pax) {
    public static Entry file(String name, String content) {
      return new Entry(name, TarConstants.LF_NORMAL, null, content.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static Entry link(String name, byte kind, String target) {
      return new Entry(name, kind, target, new byte[0], Map.of());
    }

    public static Entry device(String name, byte kind) {
      return new Entry(name, kind, null, new byte[0], Map.of());
    }

    public static Entry withPax(String name, Map<String, String> pax) {
      return new Entry(name, TarConstants.LF_NORMAL, null, "x".getBytes(StandardCharsets.UTF_8), pax);
    }
  }

  private HostileTars() {}

  public static byte[] tar(List<Entry> entries, boolean truncate) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry t = new TarArchiveEntry(e.name(), e.kind(), true); // preserve ../ and leading /
        if (e.link() != null) {
          t.setLinkName(e.link());
        }
        if (e.kind() == TarConstants.LF_CHR || e.kind() == TarConstants.LF_BLK) {
          t.setDevMajor(1);
          t.setDevMinor(1); // /dev/mem's numbers
        }
        if (!e.pax().isEmpty()) {
          writePax(tar, e.pax()); // by hand: commons-compress refuses invalid values, a hostile client does not
        }
        t.setSize(e.kind() == TarConstants.LF_NORMAL ? e.content().length : 0);
        t.setMode(e.kind() == TarConstants.LF_DIR ? 0755 : 0644);
        tar.putArchiveEntry(t);
        if (e.kind() == TarConstants.LF_NORMAL) {
          tar.write(e.content());
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] all = bytes.toByteArray();
    return truncate ? java.util.Arrays.copyOf(all, Math.max(1, all.length / 2 + 17)) : all;
  }

  private static void writePax(TarArchiveOutputStream tar, Map<String, String> pax) throws IOException {
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    for (Map.Entry<String, String> kv : pax.entrySet()) {
      byte[] rest = (" " + kv.getKey() + "=" + kv.getValue() + "\n").getBytes(StandardCharsets.UTF_8);
      int len = rest.length + 1;
      while (len != rest.length + Integer.toString(len).length()) {
        len = rest.length + Integer.toString(len).length();
      }
      records.write(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
      records.write(rest);
    }
    TarArchiveEntry header = new TarArchiveEntry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
    header.setSize(records.size());
    tar.putArchiveEntry(header);
    tar.write(records.toByteArray());
    tar.closeArchiveEntry();
  }

  /**
   * A gzip-compressed tar holding one file of {@code expandedBytes} zeros: some hundred KiB on
   * the wire, {@code expandedBytes} once expanded.
   */
  public static byte[] gzipBomb(String name, long expandedBytes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 64 * 1024);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      TarArchiveEntry t = new TarArchiveEntry(name);
      t.setSize(expandedBytes);
      tar.putArchiveEntry(t);
      byte[] zeros = new byte[1 << 20];
      for (long left = expandedBytes; left > 0; left -= zeros.length) {
        tar.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
      tar.closeArchiveEntry();
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

}
