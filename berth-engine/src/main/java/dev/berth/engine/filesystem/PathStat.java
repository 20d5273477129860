package dev.berth.engine.filesystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;

/**
 * What Docker's {@code X-Docker-Container-Path-Stat} says of a path: its name, size, Go
 * {@code os.FileMode} bits (the docker CLI decides file or directory from them), mtime, and for
 * a symlink the container path it resolves to.
 */
public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
  // Go's os.FileMode type bits.
  static final long GO_DIR = 1L << 31;
  static final long GO_SYMLINK = 1L << 27;
  static final long GO_DEVICE = 1L << 26;
  static final long GO_PIPE = 1L << 25;
  static final long GO_SOCKET = 1L << 24;
  static final long GO_SETUID = 1L << 23;
  static final long GO_SETGID = 1L << 22;
  static final long GO_CHARDEV = 1L << 21;
  static final long GO_STICKY = 1L << 20;

  public boolean isDirectory() {
    return (mode & GO_DIR) != 0;
  }

  /** Stats {@code host} itself (not what a link points to); {@code linkTarget} is given by the caller. */
  public static PathStat of(Path host, String name, String linkTarget) throws IOException {
    PosixFileAttributes a = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    int unixMode = (Integer) Files.getAttribute(host, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return new PathStat(name, a.size(), goMode(unixMode), a.lastModifiedTime().toInstant(), linkTarget);
  }

  /** Unix st_mode → Go's os.FileMode. */
  static long goMode(int unixMode) {
    long m = unixMode & 0777;
    m |= switch (unixMode & 0170000) {
      case 0040000 -> GO_DIR;
      case 0120000 -> GO_SYMLINK;
      case 0010000 -> GO_PIPE;
      case 0140000 -> GO_SOCKET;
      case 0020000 -> GO_DEVICE | GO_CHARDEV;
      case 0060000 -> GO_DEVICE;
      default -> 0;
    };
    if ((unixMode & 04000) != 0) {
      m |= GO_SETUID;
    }
    if ((unixMode & 02000) != 0) {
      m |= GO_SETGID;
    }
    if ((unixMode & 01000) != 0) {
      m |= GO_STICKY;
    }
    return m;
  }
}
