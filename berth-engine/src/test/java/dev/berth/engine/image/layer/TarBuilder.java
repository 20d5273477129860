package dev.berth.engine.image.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Builds layer tars in tests, hostile ones included: names are written exactly as given. */
final class TarBuilder {
  static final Instant MTIME = Instant.parse("2021-03-04T05:06:07Z");

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

  TarBuilder() {
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  TarBuilder file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  TarBuilder file(String name, byte[] content, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(content.length);
    e.setMode(mode);
    e.setModTime(MTIME.toEpochMilli());
    return add(e, content);
  }

  TarBuilder dir(String name, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
    e.setMode(mode);
    e.setModTime(MTIME.toEpochMilli());
    return add(e, null);
  }

  TarBuilder symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    e.setModTime(MTIME.toEpochMilli());
    return add(e, null);
  }

  TarBuilder hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    return add(e, null);
  }

  TarBuilder fifo(String name, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
    e.setMode(mode);
    e.setModTime(MTIME.toEpochMilli());
    return add(e, null);
  }

  TarBuilder device(String name, byte type, int major, int minor) {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setMode(0660);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    e.setModTime(MTIME.toEpochMilli());
    return add(e, null);
  }

  /** Adds a prepared entry (ownership, PAX headers...) with its content. */
  TarBuilder add(TarArchiveEntry e, byte[] content) {
    try {
      tar.putArchiveEntry(e);
      if (content != null) {
        tar.write(content);
      }
      tar.closeArchiveEntry();
      return this;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  byte[] tar() {
    try {
      tar.finish();
      return bytes.toByteArray();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
      gz.write(data);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  static byte[] zstd(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdCompressorOutputStream z = new ZstdCompressorOutputStream(out)) {
      z.write(data);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }
}
