package dev.berth.it.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A snapshot of file trees outside berthd's roots (names, kinds, sizes, content hashes), taken
 * before a hostile run and compared after it: any difference is a write outside the roots.
 */
public final class Sentinel {
  private Sentinel() {}

  /** Fills {@code root} with a small tree a traversal or link escape would hit. */
  public static void plant(Path root) {
    try {
      Files.createDirectories(root.resolve("sub/deeper"));
      Files.writeString(root.resolve("file.txt"), "sentinel\n");
      Files.writeString(root.resolve("sub/deeper/passwd"), "root:x:0:0::/root:/bin/sh\n");
      Files.createSymbolicLink(root.resolve("link-to-sub"), Path.of("sub"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every path under {@code root} not excluded, with what it is; symlinks are not followed. */
  public static Map<String, String> snapshot(Path root, Predicate<Path> excluded) {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (excluded.test(p)) {
          continue;
        }
        m.put(p.toString(), describe(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** The names directly in {@code dir} (for / and /tmp, where other processes also write: only names we planted are looked at). */
  public static List<String> namesStartingWith(Path dir, String prefix) {
    List<String> found = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(found::add);
    } catch (IOException e) {
      // a directory that went away has no escaped file in it
    }
    return found;
  }

  private static String describe(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) {
      return "link " + Files.readSymbolicLink(p);
    }
    if (a.isDirectory()) {
      return "dir";
    }
    if (!a.isRegularFile()) {
      return "other";
    }
    if (a.size() > 1 << 20) {
      return "file " + a.size() + " " + a.lastModifiedTime();
    }
    try {
      return "file " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
