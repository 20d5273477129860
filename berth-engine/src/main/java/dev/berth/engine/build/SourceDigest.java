package dev.berth.engine.build;

import dev.berth.engine.content.Digest;
import dev.berth.engine.filesystem.ContextIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The cache identity of COPY/ADD sources: for every entry its relative path, type, mode, owner
 * and content (or link target), never its mtime — so a touched but unchanged file still hits
 * the cache, as in Docker.
 */
final class SourceDigest {
  private static final int S_IFMT = 0170000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private final MessageDigest sha = Digest.newSha256();
  private final byte[] buf = new byte[64 * 1024];
  private final java.util.function.Predicate<Path> skip;

  /** {@code skip}: paths inside a source directory that are not copied (.dockerignore). */
  SourceDigest(java.util.function.Predicate<Path> skip) {
    this.skip = skip;
  }

  /** Adds one source (a tree walked in name order) under the label {@code name}. */
  SourceDigest add(String name, Path path) throws IOException {
    return add(name, path, skip);
  }

  /** As {@link #add(String, Path)}, with its own {@code skip}. */
  SourceDigest add(String name, Path path, java.util.function.Predicate<Path> skip) throws IOException {
    entry(name, path, skip);
    return this;
  }

  /**
   * Adds one source from a spooled context's index: the same text as {@link #add(String, Path)}
   * hashes for the extracted entry, so a key does not depend on whether the files were on disk.
   */
  SourceDigest add(String name, ContextIndex index, ContextIndex.Entry e, Predicate<String> excluded)
      throws IOException {
    text(name + "\0" + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid() + "\0");
    if (e.isSymbolicLink()) {
      text("L" + e.linkTarget() + "\0"); // readSymbolicLink prints the raw target
    } else if (e.isDirectory()) {
      for (ContextIndex.Entry c : index.children(e)) { // in name order, as the sorted walk below
        if (!excluded.test(c.path())) {
          add(name + "/" + c.name(), index, c, excluded);
        }
      }
      text("D\0");
    } else if (e.isRegularFile()) {
      text("F" + e.size() + "\0");
      try (InputStream in = index.open(e)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          sha.update(buf, 0, n);
        }
      }
    }
    return this;
  }

  SourceDigest add(String name, byte[] bytes) {
    text("B " + name + " " + bytes.length + "\n");
    sha.update(bytes);
    return this;
  }

  SourceDigest text(String s) {
    sha.update(s.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  String hex() {
    return Digest.fromSha256(sha.digest()).hex();
  }

  private void entry(String name, Path p, java.util.function.Predicate<Path> skip) throws IOException {
    // One lstat for type, mode, owner and size (the type checks and getAttribute calls made six).
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    text(name + "\0" + Integer.toOctalString(mode) + " " + a.get("uid") + ":" + a.get("gid") + "\0");
    int type = mode & S_IFMT;
    if (type == S_IFLNK) {
      text("L" + Files.readSymbolicLink(p) + "\0");
    } else if (type == S_IFDIR) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
        s.forEach(children::add);
      }
      children.sort(null);
      for (Path c : children) {
        if (skip.test(c)) {
          continue;
        }
        entry(name + "/" + c.getFileName(), c, skip);
      }
      text("D\0");
    } else if (type == S_IFREG) {
      text("F" + a.get("size") + "\0");
      try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          sha.update(buf, 0, n);
        }
      }
    }
  }
}
