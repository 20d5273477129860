package dev.berth.engine.filesystem;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A container's changes against its image, read from the overlay upper dir as Docker's
 * {@code /containers/{id}/changes} reports them: a 0/0 character device is a deleted path, an
 * opaque dir replaced everything below it in the image (those lower paths are deleted), any
 * other entry is modified when the image has the path and added when it does not.
 */
public final class OverlayChanges {
  /** Docker's kinds: 0 modified, 1 added, 2 deleted. */
  public enum Kind { MODIFIED, ADDED, DELETED }

  public record Change(String path, Kind kind) {
    public int kindCode() {
      return kind.ordinal();
    }
  }

  private OverlayChanges() {}

  /**
   * @param upper the container's upper dir
   * @param lowers the image's layer dirs, bottom first
   * @param skip relative paths to leave out (runtime mount points), with what is below them
   */
  public static List<Change> of(Path upper, List<Path> lowers, Predicate<String> skip) throws IOException {
    List<Change> out = new ArrayList<>();
    walk(upper, "", lowers, skip, out);
    // A directory that is only there because a skipped mount point was created in it is no change.
    out.removeIf(c -> c.kind() == Kind.MODIFIED && Files.isDirectory(upper.resolve(c.path().substring(1)),
        LinkOption.NOFOLLOW_LINKS) && !TreeTar.isOpaque(upper.resolve(c.path().substring(1)))
        && out.stream().noneMatch(o -> o.path().startsWith(c.path() + "/")) && onlySkipped(upper, c.path(), skip));
    out.sort(Comparator.comparing(Change::path));
    return out;
  }

  private static boolean onlySkipped(Path upper, String path, Predicate<String> skip) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(upper.resolve(path.substring(1)))) {
      boolean any = false;
      for (Path kid : s) {
        any = true;
        if (!skip.test(path.substring(1) + "/" + kid.getFileName())) {
          return false;
        }
      }
      return any;
    } catch (IOException e) {
      return false;
    }
  }

  private static void walk(Path dir, String rel, List<Path> lowers, Predicate<String> skip, List<Change> out)
      throws IOException {
    List<Path> kids = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(kids::add);
    }
    for (Path kid : kids) {
      String name = rel.isEmpty() ? kid.getFileName().toString() : rel + "/" + kid.getFileName();
      if (skip.test(name)) {
        continue;
      }
      if (isWhiteout(kid)) {
        out.add(new Change("/" + name, Kind.DELETED));
        continue;
      }
      boolean inLower = inLower(lowers, name);
      out.add(new Change("/" + name, inLower ? Kind.MODIFIED : Kind.ADDED));
      if (Files.isDirectory(kid, LinkOption.NOFOLLOW_LINKS)) {
        if (inLower && TreeTar.isOpaque(kid)) {
          deletedBelow(kid, name, lowers, out);
        }
        walk(kid, name, lowers, skip, out);
      }
    }
  }

  /** Lower paths directly below an opaque dir that the upper dir does not have again: deleted. */
  private static void deletedBelow(Path upperDir, String rel, List<Path> lowers, List<Change> out) throws IOException {
    java.util.Set<String> seen = new java.util.TreeSet<>();
    for (Path lower : lowers) {
      Path d = lower.resolve(rel);
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
        for (Path kid : s) {
          String n = kid.getFileName().toString();
          if (!Files.exists(upperDir.resolve(n), LinkOption.NOFOLLOW_LINKS) && !isWhiteout(kid)) {
            seen.add(n);
          }
        }
      }
    }
    seen.forEach(n -> out.add(new Change("/" + rel + "/" + n, Kind.DELETED)));
  }

  /** Whether a layer below has the path (a whiteout there does not count). */
  private static boolean inLower(List<Path> lowers, String rel) {
    for (int i = lowers.size() - 1; i >= 0; i--) {
      Path p = lowers.get(i).resolve(rel);
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return !isWhiteout(p);
      }
    }
    return false;
  }

  static boolean isWhiteout(Path p) {
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0020000 && (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS) == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
