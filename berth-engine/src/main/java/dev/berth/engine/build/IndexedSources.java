package dev.berth.engine.build;

import dev.berth.engine.filesystem.ContextIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@link ContextSources} answered from a spooled context's {@link ContextIndex} instead of its
 * files on disk: the same paths, wildcards and .dockerignore rules. Where a symlink lies on a
 * path's way (which the disk resolution would follow inside the root) it does not guess: it
 * throws {@link NeedsDisk} and the caller asks the extracted directory.
 */
final class IndexedSources {
  /** A link on the way: resolve on disk. */
  static final class NeedsDisk extends RuntimeException {
    NeedsDisk() {
      super(null, null, false, false);
    }
  }

  private final ContextIndex index;
  private final Predicate<String> excluded;

  IndexedSources(ContextIndex index, Predicate<String> excluded) {
    this.index = index;
    this.excluded = excluded;
  }

  /** The entries {@code source} names, as {@link ContextSources#resolve} finds them on disk. */
  List<ContextIndex.Entry> resolve(String source, String what) {
    String clean = ConfigSteps.clean("/" + source);
    if (ContextSources.hasWildcard(clean)) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + ContextSources.escapeBraces(clean.substring(1)));
      List<ContextIndex.Entry> matches = new ArrayList<>();
      for (ContextIndex.Entry e : sorted(index.all())) {
        if (m.matches(Path.of(e.path())) && !excluded.test(e.path())) {
          matches.add(e);
        }
      }
      return matches;
    }
    Optional<ContextIndex.Entry> e = lookup(clean.substring(1), true);
    if (e.isEmpty() || (!e.get().path().isEmpty() && excluded.test(e.get().path()))) {
      throw new BuildException(what + " failed: file not found in build context or excluded by .dockerignore: stat "
          + source + ": file does not exist");
    }
    return List.of(e.get());
  }

  /**
   * The entry at {@code rel} ("a/b", "" for the root); empty when it does not exist. Throws
   * {@link NeedsDisk} when a symlink is on the way (the last component counts when {@code followLast}).
   */
  Optional<ContextIndex.Entry> lookup(String rel, boolean followLast) {
    ContextIndex.Entry at = index.get("").orElseThrow();
    String path = "";
    String[] parts = rel.isEmpty() ? new String[0] : rel.split("/");
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty() || parts[i].equals(".")) {
        continue;
      }
      if (parts[i].equals("..")) {
        throw new NeedsDisk();
      }
      path = path.isEmpty() ? parts[i] : path + "/" + parts[i];
      Optional<ContextIndex.Entry> next = index.get(path);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      at = next.get();
      if (at.isSymbolicLink() && (i < parts.length - 1 || followLast)) {
        throw new NeedsDisk();
      }
    }
    return Optional.of(at);
  }

  /**
   * A regular file's text at {@code rel}, or empty when it is absent or not a regular file; a
   * symlink at the end is followed (on disk: {@link NeedsDisk}) when {@code followLast}, else it is no regular file.
   */
  Optional<String> readRegularFile(String rel, boolean followLast) throws IOException {
    Optional<ContextIndex.Entry> e = lookup(rel, followLast);
    if (e.isEmpty() || !e.get().isRegularFile()) {
      return Optional.empty();
    }
    try (InputStream in = index.open(e.get())) {
      // strict, as Files.readString: text that is not UTF-8 is an error, not replaced
      return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(in.readAllBytes()))
          .toString());
    }
  }

  /** Entries in the order a sorted walk of the extracted tree yields them. */
  static List<ContextIndex.Entry> sorted(List<ContextIndex.Entry> entries) {
    record Keyed(Path key, ContextIndex.Entry entry) {}
    List<Keyed> keyed = new ArrayList<>(entries.size());
    for (ContextIndex.Entry e : entries) {
      keyed.add(new Keyed(Path.of(e.path()), e)); // one Path per entry, not two per comparison
    }
    keyed.sort(Comparator.comparing(Keyed::key));
    return keyed.stream().map(Keyed::entry).toList();
  }
}
