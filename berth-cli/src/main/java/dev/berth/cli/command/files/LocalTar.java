package dev.berth.cli.command.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * cp's local side: a local file tree as a tar stream, and a tar stream written into a local
 * directory without ever writing outside it (no "..", nothing through a symlink the archive made).
 */
final class LocalTar {
  private LocalTar() {}

  /** Writes {@code src} (and what is below it) into {@code out}, its top entry named {@code rootName}; the bytes of file data. */
  static long write(Path src, String rootName, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    long[] bytes = {0};
    add(tar, src, rootName, new HashMap<>(), bytes);
    tar.finish();
    tar.flush();
    return bytes[0];
  }

  private static void add(TarArchiveOutputStream tar, Path p, String name, Map<Object, String> inodes, long[] bytes)
      throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    TarArchiveEntry e;
    if (a.isSymbolicLink()) {
      e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      e.setLinkName(Files.readSymbolicLink(p).toString());
    } else if (a.isDirectory()) {
      e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
    } else if (a.isRegularFile()) {
      String first = a.fileKey() == null ? null : inodes.putIfAbsent(a.fileKey(), name);
      if (first != null) {
        e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(first);
      } else {
        e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        e.setSize(a.size());
      }
    } else {
      return; // devices, FIFOs and sockets are not copied from the host
    }
    e.setMode((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    e.setIds((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
        (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    e.setModTime(a.lastModifiedTime());
    tar.putArchiveEntry(e);
    if (a.isRegularFile() && !e.isLink()) {
      try (InputStream in = Files.newInputStream(p)) {
        bytes[0] += in.transferTo(tar);
      }
    }
    tar.closeArchiveEntry();
    if (a.isDirectory()) {
      List<Path> kids = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
        s.forEach(kids::add);
      }
      kids.sort(null);
      for (Path kid : kids) {
        add(tar, kid, (name.endsWith("/") ? name : name + "/") + kid.getFileName(), inodes, bytes);
      }
    }
  }

  /**
   * Extracts {@code in} into the directory {@code dir}; the archive's top name is replaced by
   * {@code rootName} when that is not null. With {@code keepOwners} files keep the archive's owners.
   * Returns the bytes of file data written.
   */
  static long extract(InputStream in, Path dir, String rootName, boolean keepOwners) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    Map<Path, TarArchiveEntry> dirs = new LinkedHashMap<>();
    long bytes = 0;
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String rel = rebase(clean(e.getName()), rootName);
      if (rel.isEmpty()) {
        continue; // the destination itself
      }
      Path target = safePath(dir, rel);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !(e.isDirectory() && Files.isDirectory(target,
          LinkOption.NOFOLLOW_LINKS))) {
        deleteTree(target);
      }
      Files.createDirectories(target.getParent());
      if (e.isDirectory()) {
        Files.createDirectories(target);
        dirs.put(target, e);
        continue;
      } else if (e.isSymbolicLink()) {
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
      } else if (e.isLink()) {
        Files.createLink(target, safePath(dir, rebase(clean(e.getLinkName()), rootName)));
        continue;
      } else if (e.isFile()) {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          bytes += tar.transferTo(out);
        }
      } else {
        continue; // devices and FIFOs need privileges the host side may not have; docker skips them too
      }
      finish(target, e, keepOwners);
    }
    for (Map.Entry<Path, TarArchiveEntry> d : dirs.entrySet()) {
      finish(d.getKey(), d.getValue(), keepOwners);
    }
    return bytes;
  }

  private static void finish(Path p, TarArchiveEntry e, boolean keepOwners) throws IOException {
    if (keepOwners) {
      Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }
    if (!e.isSymbolicLink()) {
      Files.setPosixFilePermissions(p, permissions(e.getMode()));
      Files.setLastModifiedTime(p, e.getLastModifiedTime());
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = java.util.EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(order[i]);
      }
    }
    return set;
  }

  /** A name without "./" and trailing "/"; ".." is refused, since it could leave the destination. */
  static String clean(String name) throws IOException {
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw new IOException("refusing archive entry " + name + ": it contains '..'");
      }
      parts.add(c);
    }
    return String.join("/", parts);
  }

  /** Replaces the first element by {@code rootName} (when not null). */
  static String rebase(String rel, String rootName) {
    if (rootName == null || rel.isEmpty()) {
      return rel;
    }
    int slash = rel.indexOf('/');
    return slash < 0 ? rootName : rootName + rel.substring(slash);
  }

  /** {@code dir/rel}, refusing a path whose parents below {@code dir} include a symlink. */
  private static Path safePath(Path dir, String rel) throws IOException {
    Path p = dir;
    String[] parts = rel.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      p = p.resolve(parts[i]);
      if (Files.isSymbolicLink(p)) {
        throw new IOException("refusing archive entry " + rel + ": " + p + " is a symlink, and cp never writes through one");
      }
    }
    return p.resolve(parts[parts.length - 1]);
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
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
