package dev.berth.engine.build;

import dev.berth.engine.filesystem.RootfsPath;
import dev.berth.engine.filesystem.TarExtractor;
import dev.berth.engine.sys.LinuxFs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Writes COPY/ADD sources into a mounted rootfs with Docker's rules: a directory's contents
 * (not the directory) are copied; a file goes to {@code dest} or, when {@code dest} is a
 * directory, under its own name; missing parents are made (0755); every copied entry is owned
 * by the {@code --chown} owner or root; modes are kept unless {@code --chmod}; ADD unpacks a
 * local tar archive (plain, gzip, bzip2, xz) into the destination.
 */
final class CopyFiles {
  /** The owner copied files get. */
  record Owner(int uid, int gid) {
    static final Owner ROOT = new Owner(0, 0);
    /** COPY --from without --chown: every entry keeps its source's owner (made directories are root's). */
    static final Owner KEEP = new Owner(-1, -1);
  }

  /** One source: a file, directory or symlink on the host, or bytes (a here-document, a download). */
  sealed interface Source {
    /** The name a file keeps under a directory destination. */
    String baseName();

    record OnHost(Path path) implements Source {
      @Override
      public String baseName() {
        return path.getFileName() == null ? "" : path.getFileName().toString();
      }
    }

    /** @param mtime the file's modification time, if known (a download's Last-Modified) */
    record Bytes(String baseName, byte[] data, int mode, Optional<FileTime> mtime) implements Source {}
  }

  private final Path rootfs;
  private final Owner owner;
  private final OptionalInt chmod;
  private final java.util.function.Predicate<Path> skip;

  /** {@code skip}: source paths not to copy (what the .dockerignore excludes inside a copied directory). */
  CopyFiles(Path rootfs, Owner owner, OptionalInt chmod, java.util.function.Predicate<Path> skip) {
    this.rootfs = rootfs;
    this.owner = owner;
    this.chmod = chmod;
    this.skip = skip;
  }

  /**
   * Copies every source to {@code dest} (an absolute container path; a trailing "/" makes it a
   * directory, as do several sources or an existing directory). With {@code extractArchives}
   * (ADD of a local file) a tar archive is unpacked into the destination directory.
   */
  void copy(List<Source> sources, String dest, boolean extractArchives) throws IOException {
    boolean destIsDir = dest.endsWith("/") || sources.size() > 1
        || Files.isDirectory(RootfsPath.resolve(rootfs, dest, true));
    for (Source s : sources) {
      if (s instanceof Source.OnHost h && Files.isDirectory(h.path(), LinkOption.NOFOLLOW_LINKS)) {
        Path target = makeDirs(dest);
        copyChildren(h.path(), target);
      } else if (extractArchives && s instanceof Source.OnHost h && Files.isRegularFile(h.path())
          && isArchive(h.path())) {
        makeDirs(dest);
        extract(h.path(), dest);
      } else {
        String file = destIsDir ? join(dest, s.baseName()) : dest;
        makeDirs(parentOf(file));
        Path target = RootfsPath.resolve(rootfs, file, true);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          target = RootfsPath.resolve(rootfs, join(file, s.baseName()), true);
        }
        switch (s) {
          case Source.OnHost h -> copyEntry(h.path(), target);
          case Source.Bytes b -> writeBytes(b, target);
        }
      }
    }
  }

  /** Makes the container directory {@code dir} and its missing parents (0755, the copy's owner). */
  Path makeDirs(String dir) throws IOException {
    List<String> parts = new ArrayList<>();
    for (String p : dir.split("/")) {
      if (!p.isEmpty() && !p.equals(".")) {
        parts.add(p);
      }
    }
    String path = "";
    for (String p : parts) {
      path = path + "/" + p;
      Path host = RootfsPath.resolve(rootfs, path, true);
      if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(host);
        LinuxFs.chmod(host, 0755);
        Owner o = owner.equals(Owner.KEEP) ? Owner.ROOT : owner;
        LinuxFs.lchown(host, o.uid(), o.gid());
      } else if (!Files.isDirectory(host)) {
        throw new BuildException("failed to copy files: mkdir " + path + ": not a directory");
      }
    }
    return RootfsPath.resolve(rootfs, path.isEmpty() ? "/" : path, true);
  }

  private void copyChildren(Path from, Path to) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(from)) {
      s.forEach(children::add);
    }
    children.sort(null);
    for (Path child : children) {
      if (skip.test(child)) {
        continue;
      }
      copyEntry(child, to.resolve(child.getFileName().toString()));
    }
  }

  /** Copies one entry (a directory with its contents); {@code to} is replaced unless both are directories. */
  private void copyEntry(Path from, Path to) throws IOException {
    int mode = (Integer) Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    FileTime mtime = Files.getLastModifiedTime(from, LinkOption.NOFOLLOW_LINKS);
    if (Files.isSymbolicLink(from)) {
      deleteNonDir(to);
      Files.deleteIfExists(to);
      LinuxFs.symlink(Files.readSymbolicLink(from).toString(), to);
      chown(from, to);
      return;
    }
    if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(to);
        Files.createDirectory(to);
      }
      copyChildren(from, to);
      LinuxFs.chmod(to, chmod.orElse(mode));
      chown(from, to);
      Files.setLastModifiedTime(to, mtime);
      return;
    }
    if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
      return; // sockets, fifos and devices in a context are not copied
    }
    deleteNonDir(to);
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    LinuxFs.chmod(to, chmod.orElse(mode));
    chown(from, to);
    Files.setLastModifiedTime(to, mtime);
  }

  private void chown(Path from, Path to) throws IOException {
    if (owner.equals(Owner.KEEP)) {
      LinuxFs.lchown(to, (Integer) Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS),
          (Integer) Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    } else {
      LinuxFs.lchown(to, owner.uid(), owner.gid());
    }
  }

  private void writeBytes(Source.Bytes b, Path to) throws IOException {
    deleteNonDir(to);
    Files.write(to, b.data());
    LinuxFs.chmod(to, chmod.orElse(b.mode()));
    Owner o = owner.equals(Owner.KEEP) ? Owner.ROOT : owner;
    LinuxFs.lchown(to, o.uid(), o.gid());
    if (b.mtime().isPresent()) {
      Files.setLastModifiedTime(to, b.mtime().get());
    }
  }

  private static void deleteNonDir(Path p) throws IOException {
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new BuildException("failed to copy files: cannot overwrite directory " + p.getFileName()
          + " with a non-directory");
    }
    Files.deleteIfExists(p);
  }

  /** Whether the file is a tar archive, compressed or not (as ADD decides what to unpack). */
  static boolean isArchive(Path file) {
    try (InputStream in = decompressed(file); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      return tar.getNextEntry() != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void extract(Path archive, String dest) throws IOException {
    OptionalInt uid = owner.equals(Owner.ROOT) || owner.equals(Owner.KEEP) ? OptionalInt.empty() : OptionalInt.of(owner.uid());
    OptionalInt gid = owner.equals(Owner.ROOT) || owner.equals(Owner.KEEP) ? OptionalInt.empty() : OptionalInt.of(owner.gid());
    try (InputStream in = decompressed(archive)) {
      new TarExtractor(rootfs, dest, false, uid, gid).extract(in);
    }
  }

  private static InputStream decompressed(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file));
    try {
      String kind = CompressorStreamFactory.detect(in);
      return new CompressorStreamFactory().createCompressorInputStream(kind, in);
    } catch (org.apache.commons.compress.compressors.CompressorException notCompressed) {
      return in;
    }
  }

  static String join(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  static String parentOf(String path) {
    String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    int i = p.lastIndexOf('/');
    return i <= 0 ? "/" : p.substring(0, i);
  }
}
