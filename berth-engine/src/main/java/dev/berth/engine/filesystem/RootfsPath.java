package dev.berth.engine.filesystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A path inside a container's root filesystem resolved as the container would see it: symlinks
 * are followed with the rootfs as "/", so an absolute link target or a ".." never leaves it
 * (as a chroot would). The checks run on the host's view and cannot be atomic against a
 * container process changing links meanwhile; Docker's own resolution has the same window.
 */
public final class RootfsPath {
  private static final int MAX_LINKS = 255;

  private RootfsPath() {}

  /**
   * The host path of {@code containerPath} under {@code root}. Every symlink on the way is
   * followed inside the root; the last component only when {@code followLast}.
   */
  public static Path resolve(Path root, String containerPath, boolean followLast) throws IOException {
    Deque<String> todo = new ArrayDeque<>(components(containerPath));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path p = join(root, done).resolve(c);
      if ((!todo.isEmpty() || followLast) && Files.isSymbolicLink(p)) {
        if (++links > MAX_LINKS) {
          throw new IOException("too many levels of symbolic links resolving " + containerPath);
        }
        String target = Files.readSymbolicLink(p).toString();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> t = components(target);
        for (int i = t.size() - 1; i >= 0; i--) {
          todo.addFirst(t.get(i));
        }
        continue;
      }
      done.add(c);
    }
    return join(root, done);
  }

  /** The container's absolute path for a host path under {@code root}. */
  public static String inContainer(Path root, Path hostPath) {
    String rel = root.relativize(hostPath).toString();
    return rel.isEmpty() ? "/" : "/" + rel;
  }

  /** The last element of a container path as Docker names it in archives: "." for "dir/.", "/" for the root. */
  public static String baseName(String containerPath) {
    if (containerPath.endsWith("/.") || containerPath.equals(".")) {
      return ".";
    }
    List<String> c = components(containerPath);
    return c.isEmpty() ? "/" : c.getLast();
  }

  static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    for (String c : path.split("/")) {
      if (!c.isEmpty() && !c.equals(".")) {
        out.add(c);
      }
    }
    return out;
  }

  private static Path join(Path root, List<String> components) {
    return components.isEmpty() ? root : root.resolve(String.join("/", components));
  }
}
