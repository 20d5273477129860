package dev.berth.engine.filesystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import org.slf4j.Logger;

/** Removing a directory Berth made (a VM's, a volume's, a network's leases) with all it holds. */
public final class DirectoryTrees {
  private DirectoryTrees() {}

  /**
   * Deletes {@code dir} and everything under it, deepest first, without following symlinks (a
   * link is removed, not its target); nothing when it does not exist. A failure is logged to
   * {@code log} as a warning, not thrown: the callers are removals that go on regardless.
   */
  public static void deleteOrWarn(Path dir, Logger log) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
