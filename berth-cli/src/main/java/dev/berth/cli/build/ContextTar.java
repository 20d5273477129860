package dev.berth.cli.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A context directory written as a tar while it is sent, as the docker CLI sends it: paths
 * relative to the context in lexical order, owners 0:0, modes and mtimes kept, symlinks as
 * links, what {@code .dockerignore} excludes left out ({@code keep}, the Dockerfile and
 * .dockerignore, always go). {@code replaced} entries take the place of files of that name or
 * are added at the end (a Dockerfile from outside the context, the .dockerignore naming it).
 */
public final class ContextTar {
  private final Path root;
  private final DockerIgnore ignore;
  private final Set<String> keep;
  private final Map<String, byte[]> replaced;
  private long bytes;

  public ContextTar(Path root, DockerIgnore ignore, Set<String> keep, Map<String, byte[]> replaced) {
    this.root = root;
    this.ignore = ignore;
    this.keep = keep;
    this.replaced = new LinkedHashMap<>(replaced);
  }

  /** The tar's size once written (docker's "Sending build context" line). */
  public long bytes() {
    return bytes;
  }

  public void writeTo(OutputStream target) throws IOException {
    OutputStream counting = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        target.write(b);
        bytes++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        target.write(b, off, len);
        bytes += len;
      }
    };
    TarArchiveOutputStream tar = new TarArchiveOutputStream(counting);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    walk(root, "", tar);
    for (Map.Entry<String, byte[]> extra : replaced.entrySet()) {
      file(tar, extra.getKey(), extra.getValue(), 0600, java.time.Instant.now());
    }
    tar.finish();
    tar.flush();
  }

  private void walk(Path dir, String prefix, TarArchiveOutputStream tar) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
      list.forEach(children::add);
    } catch (IOException e) {
      throw new IOException("error checking context: can't read directory " + dir + ": " + e.getMessage(), e);
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path p : children) {
      String rel = prefix + p.getFileName();
      PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      boolean excluded = !keep.contains(rel) && ignore.excluded(rel);
      if (a.isDirectory()) {
        if (!excluded) {
          TarArchiveEntry e = new TarArchiveEntry(rel + "/", TarConstants.LF_DIR);
          e.setMode(040000 | mode(a));
          e.setModTime(a.lastModifiedTime());
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
        }
        if (!excluded || ignore.mayIncludeUnder(rel)) {
          walk(p, rel + "/", tar);
        }
      } else if (excluded) {
        continue;
      } else if (replaced.containsKey(rel)) {
        file(tar, rel, replaced.remove(rel), mode(a), a.lastModifiedTime().toInstant());
      } else if (a.isSymbolicLink()) {
        TarArchiveEntry e = new TarArchiveEntry(rel, TarConstants.LF_SYMLINK);
        e.setLinkName(Files.readSymbolicLink(p).toString());
        e.setMode(0120777);
        e.setModTime(a.lastModifiedTime());
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      } else if (a.isRegularFile()) {
        TarArchiveEntry e = new TarArchiveEntry(rel);
        e.setMode(0100000 | mode(a));
        e.setSize(a.size());
        e.setModTime(a.lastModifiedTime());
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(p)) {
          in.transferTo(tar);
        } catch (IOException ex) {
          throw new IOException("error checking context: can't open '" + rel + "': " + ex.getMessage(), ex);
        }
        tar.closeArchiveEntry();
      }
      // sockets, FIFOs and devices are not content; docker skips what it cannot archive too
    }
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode, java.time.Instant mtime)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(content.length);
    e.setModTime(java.nio.file.attribute.FileTime.from(mtime));
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static int mode(PosixFileAttributes a) {
    int m = 0;
    for (PosixFilePermission p : a.permissions()) {
      m |= 1 << (8 - p.ordinal());
    }
    return m;
  }
}
