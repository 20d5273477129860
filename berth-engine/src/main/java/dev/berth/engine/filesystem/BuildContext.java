package dev.berth.engine.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A build's context: a directory on disk, or a client's tar (in memory, or spooled to one file) with its
 * {@link ContextIndex}, extracted into its directory only when a step first needs the files
 * (a COPY that misses the cache). A context made by {@link ContextArchive#receive} is removed
 * by {@link #close}; one made by {@link #of(Path)} belongs to its caller.
 */
public final class BuildContext implements AutoCloseable {
  private final Path dir;
  private final Path spool;
  private final ContextIndex index;
  private final boolean owned;
  private boolean extracted;

  private BuildContext(Path dir, Path spool, ContextIndex index, boolean owned, boolean extracted) {
    this.dir = dir;
    this.spool = spool;
    this.index = index;
    this.owned = owned;
    this.extracted = extracted;
  }

  /** A context already on disk, owned by the caller. */
  public static BuildContext of(Path dir) {
    return new BuildContext(dir, null, null, false, true);
  }

  static BuildContext extracted(Path dir) {
    return new BuildContext(dir, null, null, true, true);
  }

  static BuildContext spooled(Path dir, Path spool, ContextIndex index) {
    return new BuildContext(dir, spool, index, true, false);
  }

  /** The tar's index while the context is a spooled tar; empty for a context on disk. */
  public Optional<ContextIndex> index() {
    return Optional.ofNullable(index);
  }

  /** Whether the files are on disk already (nothing to extract for {@link #directory}). */
  public synchronized boolean onDisk() {
    return extracted;
  }

  /** The context's directory; a spooled tar is extracted into it on the first call. */
  public synchronized Path directory() throws IOException {
    if (!extracted) {
      try (InputStream in = index.openTar()) {
        TarExtractor.filesOnly(dir).extract(in);
      }
      extracted = true;
    }
    return dir;
  }

  @Override
  public void close() {
    if (!owned) {
      return;
    }
    if (index != null) {
      try {
        index.close();
      } catch (IOException e) {
        // a read-only channel: nothing was lost
      }
    }
    if (spool != null) {
      spool.toFile().delete();
    }
    ContextArchive.delete(dir);
  }
}
