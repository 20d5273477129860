package dev.berth.engine.filesystem;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.LinuxFs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a tar stream into a directory of a container's rootfs as if chrooted into it: entry
 * names and link targets resolve with {@link RootfsPath}, so neither "..", an absolute name nor a
 * symlink already in the rootfs can make a write land outside it. Docker's rules for clashes:
 * a directory entry merges into an existing directory; anything else replaces what is there,
 * unless {@code noOverwriteDirNonDir} forbids swapping a directory for a non-directory or back.
 */
public final class TarExtractor {
  private final Path root;
  private final String destination;
  private final boolean noOverwriteDirNonDir;
  private final OptionalInt uid;
  private final OptionalInt gid;
  private final boolean specialFiles;
  private final Map<Path, FileTime> dirTimes = new LinkedHashMap<>();
  private java.util.function.IntUnaryOperator uidIn = java.util.function.IntUnaryOperator.identity();
  private java.util.function.IntUnaryOperator gidIn = java.util.function.IntUnaryOperator.identity();

  /** Owners are container ids to be moved into a remapping (a remapped container's files: decision 2000). */
  public TarExtractor ownersInto(java.util.function.IntUnaryOperator uid, java.util.function.IntUnaryOperator gid) {
    this.uidIn = uid;
    this.gidIn = gid;
    return this;
  }

  /**
   * @param root the rootfs on the host
   * @param destination the container path of the directory to extract into
   * @param uid owner for every entry, or empty to take the archive's
   */
  public TarExtractor(Path root, String destination, boolean noOverwriteDirNonDir, OptionalInt uid, OptionalInt gid) {
    this(root, destination, noOverwriteDirNonDir, uid, gid, true);
  }

  private TarExtractor(Path root, String destination, boolean noOverwriteDirNonDir, OptionalInt uid, OptionalInt gid,
      boolean specialFiles) {
    this.specialFiles = specialFiles;
    this.root = root;
    this.destination = destination;
    this.noOverwriteDirNonDir = noOverwriteDirNonDir;
    this.uid = uid;
    this.gid = gid;
  }

  /**
   * For an upload that is only files (a build context): device nodes and FIFOs are refused, so a
   * client cannot make berthd create a device node on the host.
   */
  public static TarExtractor filesOnly(Path root) {
    return new TarExtractor(root, "/", false, OptionalInt.empty(), OptionalInt.empty(), false);
  }

  public void extract(InputStream in) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry e;
    String previous = null;
    while ((e = TarHeaders.next(tar, previous)) != null) {
      entry(e, tar);
      previous = e.getName();
    }
    for (Map.Entry<Path, FileTime> d : dirTimes.entrySet()) {
      if (Files.isDirectory(d.getKey(), LinkOption.NOFOLLOW_LINKS)) {
        LinuxFs.lutimes(d.getKey(), d.getValue().toInstant(), d.getValue().toInstant());
      }
    }
  }

  private void entry(TarArchiveEntry e, InputStream data) throws IOException {
    if (!specialFiles && (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO())) {
      throw new BerthException.InvalidArgument("archive entry " + e.getName()
          + " is a device node or FIFO; only files, directories and links are accepted here");
    }
    String name = destination + "/" + e.getName();
    Path path = RootfsPath.resolve(root, name, false);
    if (path.equals(root)) {
      return; // "./" or "/": the destination itself
    }
    Path parent = path.getParent();
    if (!Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(parent);
    }
    BasicFileAttributes existing = lstat(path);
    if (existing != null) {
      if (noOverwriteDirNonDir && existing.isDirectory() && !e.isDirectory()) {
        throw new BerthException.InvalidArgument("cannot overwrite directory \"" + RootfsPath.inContainer(root, path)
            + "\" with non-directory \"" + destination + "\"");
      }
      if (noOverwriteDirNonDir && !existing.isDirectory() && e.isDirectory()) {
        throw new BerthException.InvalidArgument("cannot overwrite non-directory \""
            + RootfsPath.inContainer(root, path) + "\" with directory \"" + destination + "\"");
      }
      if (!(existing.isDirectory() && e.isDirectory())) {
        deleteTree(path, existing);
      }
    }
    if (e.isDirectory()) {
      if (existing == null || !existing.isDirectory()) {
        Files.createDirectory(path);
      }
      dirTimes.put(path, e.getLastModifiedTime());
    } else if (e.isSymbolicLink()) {
      LinuxFs.symlink(e.getLinkName(), path);
    } else if (e.isLink()) {
      Path target = RootfsPath.resolve(root, destination + "/" + e.getLinkName(), false);
      if (lstat(target) == null) {
        throw new BerthException.InvalidArgument("archive entry " + e.getName() + " links to " + e.getLinkName()
            + ", which the archive has not created");
      }
      Files.createLink(path, target);
      return;
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      LinuxFs.mknod(path, (e.isCharacterDevice() ? LinuxFs.S_IFCHR : LinuxFs.S_IFBLK) | 0600,
          LinuxFs.makedev(e.getDevMajor(), e.getDevMinor()));
    } else if (e.isFIFO()) {
      LinuxFs.mknod(path, LinuxFs.S_IFIFO | 0600, 0);
    } else if (e.isFile()) {
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS); OutputStream out = Channels.newOutputStream(ch)) {
        long n = TarHeaders.copyEntry(data, out, e.getName());
        if (n != e.getSize()) {
          throw new BerthException.InvalidArgument("archive entry " + e.getName() + " is truncated");
        }
      }
    } else {
      throw new BerthException.InvalidArgument("archive entry " + e.getName() + " has an unsupported type '"
          + (char) e.getLinkFlag() + "'");
    }
    int owner = uidIn.applyAsInt(uid.orElse((int) e.getLongUserId()));
    int group = gidIn.applyAsInt(gid.orElse((int) e.getLongGroupId()));
    if (e.isSymbolicLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) { // isFile() is true for these
      // A symlink keeps its own mode. A device node or FIFO is not opened: the JDK's no-follow
      // chmod opens the path, which blocks on a FIFO and wakes a device's driver.
      LinuxFs.lchown(path, owner, group);
      if (!e.isSymbolicLink()) {
        LinuxFs.chmod(path, e.getMode() & 07777);
        LinuxFs.lutimes(path, e.getLastModifiedTime().toInstant(), e.getLastModifiedTime().toInstant());
      }
      return;
    }
    setOwnerModeTime(path, owner, group, e.getMode() & 07777, e.isDirectory() ? null : e.getLastModifiedTime());
  }

  /**
   * Owner, mode (set-id and sticky bits included) and mtime of a regular file or directory,
   * never following a link. Through the JDK's own calls rather than {@link LinuxFs}: a foreign
   * call per attribute and entry cost a build context of 1,000 files ~30 ms (decision 0260).
   */
  private static void setOwnerModeTime(Path path, int owner, int group, int mode, FileTime mtime) throws IOException {
    Files.setAttribute(path, "unix:uid", owner, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", group, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS); // after chown, which clears set-id bits
    if (mtime != null) {
      Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(mtime, mtime, null);
    }
  }

  /** The entry's attributes, or null: without an exception per absent path (every entry of a fresh extraction). */
  private static BasicFileAttributes lstat(Path p) throws IOException {
    return p.getFileSystem().provider().readAttributesIfExists(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteTree(Path p, BasicFileAttributes a) throws IOException {
    if (a.isDirectory()) {
      try (var walk = Files.walk(p)) {
        for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    } else {
      Files.delete(p);
    }
  }
}
