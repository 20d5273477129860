package dev.berth.engine.image.layer;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.LinuxFs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes tar entries into one layer directory in overlayfs form, never outside it.
 *
 * <p>Containment rests on three rules: entry names are cleaned (a leading "/" is dropped, any
 * ".." refused); every parent component is looked at with lstat and must be a real directory,
 * never a symlink, so nothing is written through a link; the final component is created with
 * O_EXCL / NOFOLLOW semantics after whatever was there is removed. The checks and the writes
 * are not atomic against other writers, which is sound because the directory is a fresh private
 * temp dir (mode 0700) that only this writer touches until it is renamed into place.
 */
final class LayerWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LayerWriter.class);

  static final String WHITEOUT_PREFIX = ".wh.";
  static final String OPAQUE_MARKER = ".wh..wh..opq";
  static final String OPAQUE_XATTR = "trusted.overlay.opaque";
  private static final String PAX_XATTR = "SCHILY.xattr.";

  private final Path root;
  private final boolean privileged;
  private final byte[] buffer = new byte[128 * 1024];
  /** Directory mode and times, applied last and deepest first, so writing inside them works. */
  private final Map<String, DirMeta> dirMeta = new LinkedHashMap<>();

  private record DirMeta(int mode, FileTime mtime, FileTime atime) {}

  LayerWriter(Path root, boolean privileged) {
    this.root = root;
    this.privileged = privileged;
  }

  /** Writes one entry; {@code content} is positioned at the entry's data. */
  void write(TarArchiveEntry entry, InputStream content) throws IOException {
    String name = entry.getName();
    String rel = clean(name, name, "entry");
    String base = rel.substring(rel.lastIndexOf('/') + 1);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      whiteout(name, rel, base);
      return;
    }
    if (rel.isEmpty()) {
      if (!entry.isDirectory()) {
        throw refuse(name, "it names the layer root but is not a directory");
      }
      chown(entry, root);
      xattrs(entry, root);
      rememberDir("", entry);
      return;
    }
    Path parent = parentDir(name, rel, true);
    Path path = parent.resolve(base);
    if (entry.isDirectory()) {
      directory(entry, path, rel);
    } else if (entry.isSymbolicLink()) {
      if (entry.getLinkName().isEmpty()) {
        throw refuse(name, "it is a symlink without a target");
      }
      clear(path);
      LinuxFs.symlink(entry.getLinkName(), path);
      finish(entry, path, false);
    } else if (entry.isLink()) {
      hardlink(entry, path);
    } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      device(entry, path);
    } else if (entry.isFIFO()) {
      clear(path);
      LinuxFs.mknod(path, LinuxFs.S_IFIFO | 0600, 0);
      finish(entry, path, true);
    } else if (entry.isFile()) {
      regularFile(entry, content, path);
    } else {
      throw refuse(name, "its tar type '" + (char) entry.getLinkFlag() + "' is not supported");
    }
  }

  /** Applies the deferred directory modes and times, deepest first. */
  void finish() throws IOException {
    List<String> dirs = new ArrayList<>(dirMeta.keySet());
    dirs.sort(Comparator.comparingInt((String d) -> d.isEmpty() ? 0 : d.split("/").length).reversed());
    for (String rel : dirs) {
      Path dir = rel.isEmpty() ? root : root.resolve(rel);
      // Re-check: a later entry may have replaced the dir by a symlink, which chmod would follow.
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      DirMeta meta = dirMeta.get(rel);
      LinuxFs.chmod(dir, meta.mode());
      setTimes(dir, meta.mtime(), meta.atime());
    }
  }

  private void directory(TarArchiveEntry entry, Path path, String rel) throws IOException {
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      clear(path); // a later entry wins; an existing dir is kept and merged, as tar does
      Files.createDirectory(path);
    }
    chown(entry, path);
    xattrs(entry, path);
    rememberDir(rel, entry);
  }

  private void regularFile(TarArchiveEntry entry, InputStream content, Path path) throws IOException {
    clear(path);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Channels.newOutputStream(channel)) {
      long remaining = entry.getSize();
      while (remaining > 0) {
        // Decompressors hand out a few KiB per read: gather a full buffer per write syscall.
        int want = (int) Math.min(buffer.length, remaining);
        int n = 0;
        while (n < want) {
          n += readContent(entry, content, n, want - n);
        }
        out.write(buffer, 0, n);
        remaining -= n;
      }
    }
    finish(entry, path, true);
  }

  private int readContent(TarArchiveEntry entry, InputStream content, int off, int len) throws IOException {
    int n;
    try {
      n = content.read(buffer, off, len);
    } catch (MeasuredStream.LimitExceededException e) {
      throw e;
    } catch (IOException e) {
      throw new CorruptLayerException("reading the data of entry '" + entry.getName() + "'", e);
    }
    if (n < 0) {
      throw new CorruptLayerException("reading the data of entry '" + entry.getName() + "'",
          new IOException("stream ended early"));
    }
    return n;
  }

  private void hardlink(TarArchiveEntry entry, Path path) throws IOException {
    String name = entry.getName();
    String targetRel = clean(entry.getLinkName(), name, "hardlink target '" + entry.getLinkName() + "' of entry");
    if (targetRel.isEmpty()) {
      throw refuse(name, "it is a hardlink to the layer root");
    }
    Path target = parentDir(name, targetRel, false).resolve(targetRel.substring(targetRel.lastIndexOf('/') + 1));
    if (target.equals(path)) {
      throw refuse(name, "it is a hardlink to itself");
    }
    BasicFileAttributes attrs = lstat(target);
    if (attrs == null) {
      throw refuse(name, "its hardlink target '" + entry.getLinkName()
          + "' is not in this layer (each layer is unpacked alone)");
    }
    if (attrs.isDirectory()) {
      throw refuse(name, "its hardlink target '" + entry.getLinkName() + "' is a directory");
    }
    clear(path);
    try {
      // link(2) does not follow a symlink target: the new name shares the link's own inode.
      Files.createLink(path, target);
    } catch (NoSuchFileException e) {
      throw refuse(name, "its hardlink target '" + entry.getLinkName() + "' was removed by replacing the entry");
    }
  }

  private void device(TarArchiveEntry entry, Path path) throws IOException {
    if (!privileged) {
      // As Docker and containerd do without root: a device node cannot be made, and a
      // container without it still mostly works (runtimes bind /dev from the host).
      LOG.warn("skipping device node {} of layer: creating devices needs root", entry.getName());
      return;
    }
    clear(path);
    int type = entry.isCharacterDevice() ? LinuxFs.S_IFCHR : LinuxFs.S_IFBLK;
    LinuxFs.mknod(path, type | 0600, LinuxFs.makedev(entry.getDevMajor(), entry.getDevMinor()));
    finish(entry, path, true);
  }

  private void whiteout(String name, String rel, String base) throws IOException {
    Path parent = parentDir(name, rel, true);
    if (base.equals(OPAQUE_MARKER)) {
      // The dir hides everything below it in lower layers.
      try {
        LinuxFs.lsetxattr(parent, OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
      } catch (LinuxFs.ErrnoException e) {
        throw needsRoot(name, "an opaque directory (xattr " + OPAQUE_XATTR + ")", e);
      }
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      LOG.debug("ignoring aufs metadata entry {} of layer", name);
      return;
    }
    String hidden = base.substring(WHITEOUT_PREFIX.length());
    if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
      throw refuse(name, "it is a whiteout without a valid name to hide");
    }
    Path path = parent.resolve(hidden);
    clear(path);
    // overlayfs's whiteout: a 0/0 char device. Linux >= 5.8 lets unprivileged users make it.
    try {
      LinuxFs.mknod(path, LinuxFs.S_IFCHR, 0);
    } catch (LinuxFs.ErrnoException e) {
      throw needsRoot(name, "a whiteout (0/0 character device)", e);
    }
  }

  /** Without privilege a whiteout cannot be represented: the layer's meaning would be lost. */
  private IOException needsRoot(String name, String what, LinuxFs.ErrnoException e) {
    if (e.errno() == LinuxFs.EPERM && !privileged) {
      throw new BerthException.Unavailable("layer entry '" + name + "' needs " + what
          + ", which only root can create here: " + e.getMessage() + "; run berthd as root");
    }
    return e;
  }

  /** Ownership, mode, xattrs and times of a non-directory, in the order that keeps them all. */
  private void finish(TarArchiveEntry entry, Path path, boolean chmod) throws IOException {
    chown(entry, path); // before chmod and xattrs: chown clears setuid bits and file capabilities
    if (chmod) {
      LinuxFs.chmod(path, entry.getMode());
    }
    xattrs(entry, path);
    setTimes(path, entry.getLastModifiedTime(), entry.getLastAccessTime());
  }

  private void rememberDir(String rel, TarArchiveEntry entry) {
    dirMeta.remove(rel); // keep insertion order meaningful: the later entry wins
    dirMeta.put(rel, new DirMeta(entry.getMode(), entry.getLastModifiedTime(), entry.getLastAccessTime()));
  }

  private void chown(TarArchiveEntry entry, Path path) throws IOException {
    if (privileged) {
      LinuxFs.lchown(path, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
    }
  }

  private void xattrs(TarArchiveEntry entry, Path path) throws IOException {
    for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
      if (!header.getKey().startsWith(PAX_XATTR)) {
        continue;
      }
      String xattr = header.getKey().substring(PAX_XATTR.length());
      String value = header.getValue();
      if (xattr.startsWith("trusted.overlay.")) {
        // Only whiteouts may set overlay xattrs; from a layer they could redirect lookups.
        LOG.warn("ignoring xattr {} on {}: overlay xattrs are not taken from layers", xattr, entry.getName());
      } else if (value.indexOf('\uFFFD') >= 0) {
        // commons-compress decodes PAX values as UTF-8; a binary value (security.capability)
        // arrives damaged, and writing it would be worse than leaving it off.
        LOG.warn("skipping xattr {} on {}: its binary value cannot be read faithfully", xattr, entry.getName());
      } else if (!privileged && (xattr.startsWith("trusted.") || xattr.startsWith("security."))) {
        LOG.warn("skipping xattr {} on {}: setting it needs root", xattr, entry.getName());
      } else {
        LinuxFs.lsetxattr(path, xattr, value.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void setTimes(Path path, FileTime mtime, FileTime atime) throws IOException {
    if (mtime == null) {
      return;
    }
    LinuxFs.lutimes(path, (atime != null ? atime : mtime).toInstant(), mtime.toInstant());
  }

  /**
   * The directory that will hold {@code rel}: each component below the root must be a real
   * directory, never a symlink. With {@code create}, missing ones are made (0755, as tar does);
   * without, a missing one means the path is not in this layer and the result does not exist.
   */
  private Path parentDir(String entryName, String rel, boolean create) throws IOException {
    Path dir = root;
    int end = rel.lastIndexOf('/');
    if (end < 0) {
      return dir;
    }
    for (String component : rel.substring(0, end).split("/")) {
      dir = dir.resolve(component);
      BasicFileAttributes attrs = lstat(dir);
      if (attrs == null) {
        if (!create) {
          return dir; // the caller's lstat of the final path then finds nothing
        }
        try {
          Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
          throw new IllegalStateException("the private layer dir changed under the unpacker: " + dir, e);
        }
        LinuxFs.chmod(dir, 0755);
      } else if (attrs.isSymbolicLink()) {
        throw refuse(entryName, "its parent '" + root.relativize(dir)
            + "' is a symlink, and the unpacker never writes through symlinks");
      } else if (!attrs.isDirectory()) {
        throw refuse(entryName, "its parent '" + root.relativize(dir) + "' is not a directory");
      }
    }
    return dir;
  }

  /** Removes whatever is at {@code path} (never following it), so a later entry replaces it. */
  private void clear(Path path) throws IOException {
    BasicFileAttributes attrs = lstat(path);
    if (attrs == null) {
      return;
    }
    if (attrs.isDirectory()) {
      String rel = root.relativize(path).toString();
      dirMeta.keySet().removeIf(d -> d.equals(rel) || d.startsWith(rel + "/"));
      FileTrees.deleteRecursively(path);
    } else {
      Files.delete(path);
    }
  }

  private static BasicFileAttributes lstat(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * A tar name as a path relative to the layer root: "" for the root itself. A leading "/" is
   * dropped (the path is then inside the layer); ".." is refused rather than resolved, since
   * resolving it lexically could disagree with how the kernel would resolve it.
   */
  static String clean(String name, String entryName, String what) {
    if (name == null || name.indexOf('\0') >= 0) {
      throw new BerthException.InvalidArgument("layer " + what + " '" + entryName + "' has an invalid name");
    }
    StringBuilder out = new StringBuilder();
    for (String component : name.split("/")) {
      if (component.isEmpty() || component.equals(".")) {
        continue;
      }
      if (component.equals("..")) {
        throw new BerthException.InvalidArgument("layer " + what + " '" + entryName
            + "' refused: '" + name + "' contains '..', which could escape the layer directory");
      }
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(component);
    }
    return out.toString();
  }

  static BerthException.InvalidArgument refuse(String entryName, String reason) {
    return new BerthException.InvalidArgument("layer entry '" + entryName + "' refused: " + reason);
  }

  /** The layer's bytes could not be read (truncated or corrupt), as opposed to a host I/O error. */
  static final class CorruptLayerException extends IOException {
    CorruptLayerException(String what, IOException cause) {
      super(what + ": " + cause.getMessage(), cause);
    }
  }
}
