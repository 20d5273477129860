package dev.berth.engine.build;

import dev.berth.engine.filesystem.RootfsPath;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Finds COPY/ADD sources in a root (the build context, or a stage's or image's mounted rootfs):
 * paths are cleaned inside the root (no ".." out of it, links followed inside it), wildcards
 * match as Go's filepath.Match, and paths the .dockerignore excludes do not exist.
 */
final class ContextSources {
  private final Path root;
  private final Predicate<String> excluded;

  /** {@code excluded} takes a path relative to the root ("dir/file"). */
  ContextSources(Path root, Predicate<String> excluded) {
    this.root = root;
    this.excluded = excluded;
  }

  /** The host paths {@code source} names; {@code what} ("COPY"/"ADD") goes into Docker's error words. */
  List<Path> resolve(String source, String what) throws IOException {
    String clean = ConfigSteps.clean("/" + source);
    if (hasWildcard(clean)) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + escapeBraces(clean.substring(1)));
      List<Path> matches = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted().toList()) {
          Path rel = root.relativize(p);
          if (!rel.toString().isEmpty() && m.matches(rel) && !excluded.test(rel.toString())) {
            matches.add(p);
          }
        }
      }
      return matches;
    }
    Path host = RootfsPath.resolve(root, clean, true);
    String rel = root.relativize(host).toString();
    if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS) || (!rel.isEmpty() && excluded.test(rel))) {
      throw new BuildException(what + " failed: file not found in build context or excluded by .dockerignore: stat "
          + source + ": file does not exist");
    }
    return List.of(host);
  }

  /** Whether the relative path is excluded (walks of a source directory skip those). */
  boolean excludedPath(Path host) {
    String rel = root.relativize(host).toString();
    return !rel.isEmpty() && excluded.test(rel);
  }

  static boolean hasWildcard(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  /** Go's patterns have no {a,b} groups: braces are literal there. */
  static String escapeBraces(String glob) {
    return glob.replace("{", "\\{").replace("}", "\\}");
  }
}
