package dev.berth.engine.filesystem;

import dev.berth.engine.sys.LinuxFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a file tree into a tar stream as Docker does: symlinks as links (never followed),
 * hardlinked files once then as links, devices and FIFOs as such, sockets skipped; owners,
 * modes and mtimes kept. In {@link Form#LAYER} form an overlay upper dir becomes an image layer:
 * a 0/0 character device is a whiteout ({@code .wh.NAME}), an opaque dir gets
 * {@code .wh..wh..opq}.
 */
public final class TreeTar {
  public enum Form { PLAIN, LAYER }

  static final String OPAQUE_XATTR = "trusted.overlay.opaque";

  private final TarArchiveOutputStream tar;
  private final Form form;
  private final Predicate<String> skip;
  private final Map<Long, String> inodes = new HashMap<>();
  private java.util.function.IntUnaryOperator uidOut = java.util.function.IntUnaryOperator.identity();
  private java.util.function.IntUnaryOperator gidOut = java.util.function.IntUnaryOperator.identity();

  /** @param skip relative names (without a leading "/") left out of the archive, with what is below them */
  public TreeTar(TarArchiveOutputStream tar, Form form, Predicate<String> skip) {
    this.tar = tar;
    this.form = form;
    this.skip = skip;
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  public static TreeTar plain(TarArchiveOutputStream tar) {
    return new TreeTar(tar, Form.PLAIN, n -> false);
  }

  /** Owners written as the container sees them (a user-namespace remapped container's files: decision 2000). */
  public TreeTar ownersAs(java.util.function.IntUnaryOperator uid, java.util.function.IntUnaryOperator gid) {
    this.uidOut = uid;
    this.gidOut = gid;
    return this;
  }

  /**
   * Adds {@code path} under the name {@code name} ("" puts a directory's children at the top
   * level, as export does), and everything below it when it is a directory.
   */
  public void add(Path path, String name) throws IOException {
    boolean dir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    if (!name.isEmpty() && !name.equals(".")) {
      entry(path, name);
    } else if (name.equals(".")) {
      entry(path, ".");
    }
    if (dir) {
      children(path, name.isEmpty() ? "" : name + "/");
    }
  }

  private void children(Path dir, String prefix) throws IOException {
    List<Path> kids = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(kids::add);
    }
    kids.sort(null);
    for (Path kid : kids) {
      String name = prefix + kid.getFileName();
      String rel = name.startsWith("./") ? name.substring(2) : name;
      if (skip.test(rel)) {
        continue;
      }
      boolean isDir = Files.isDirectory(kid, LinkOption.NOFOLLOW_LINKS);
      entry(kid, name);
      if (isDir) {
        children(kid, name + "/");
      }
    }
  }

  private void entry(Path p, String name) throws IOException {
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    int type = mode & 0170000;
    TarArchiveEntry e;
    switch (type) {
      case 0040000 -> e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
      case 0120000 -> {
        e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(Files.readSymbolicLink(p).toString());
      }
      case 0100000 -> {
        long ino = (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        int nlink = (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        String first = nlink > 1 ? inodes.putIfAbsent(ino, name) : null;
        if (first != null) {
          e = new TarArchiveEntry(name, TarConstants.LF_LINK);
          e.setLinkName(first);
        } else {
          e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
          e.setSize(Files.size(p));
        }
      }
      case 0020000, 0060000 -> {
        long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        if (form == Form.LAYER && type == 0020000 && rdev == 0) {
          whiteout(p, name);
          return;
        }
        e = new TarArchiveEntry(name, type == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK);
        e.setDevMajor((int) ((rdev >>> 8) & 0xfff));
        e.setDevMinor((int) ((rdev & 0xff) | ((rdev >>> 12) & 0xfff00)));
      }
      case 0010000 -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
      default -> {
        return; // sockets cannot be archived (tar skips them too)
      }
    }
    e.setMode(mode & 07777);
    e.setIds(uidOut.applyAsInt((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)),
        gidOut.applyAsInt((Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)));
    e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
    tar.putArchiveEntry(e);
    if (type == 0100000 && !e.isLink() && e.getSize() > 0) {
      try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
        long copied = in.transferTo(tar);
        if (copied != e.getSize()) {
          throw new IOException(p + " changed size while it was archived");
        }
      }
    }
    tar.closeArchiveEntry();
    if (form == Form.LAYER && type == 0040000 && isOpaque(p)) {
      emptyFile(e.getName() + ".wh..wh..opq", e);
    }
  }

  private void whiteout(Path p, String name) throws IOException {
    int slash = name.lastIndexOf('/');
    String hidden = slash < 0 ? ".wh." + name : name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1);
    TarArchiveEntry e = new TarArchiveEntry(hidden, TarConstants.LF_NORMAL);
    e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
    emptyFile(hidden, e);
  }

  private void emptyFile(String name, TarArchiveEntry like) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    e.setMode(0644);
    e.setModTime(like.getModTime());
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  static boolean isOpaque(Path dir) {
    try {
      byte[] v = LinuxFs.lgetxattr(dir, OPAQUE_XATTR);
      return v != null && v.length > 0 && v[0] == 'y';
    } catch (IOException e) {
      return false; // no xattr support here: nothing can be opaque
    }
  }

  /** Paths a runtime creates as mount points in every container (Docker keeps them in an "init" layer). */
  public static final Set<String> INIT_PATHS = Set.of("etc/hosts", "etc/hostname", "etc/resolv.conf", "etc/mtab",
      "dev", "proc", "sys", ".dockerenv", "dev/console", "dev/pts", "dev/shm");
}
