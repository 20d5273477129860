package dev.berth.engine.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Recursive removal of a runtime's scratch directories. */
final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code dir} and everything under it, without following symlinks; ignores failures. */
  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // Best effort: scratch state only.
                }
              });
    } catch (IOException ignored) {
      // Best effort.
    }
  }
}
