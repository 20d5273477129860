package dev.berth.engine.content;

import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

/**
 * Blobs by digest under {@code <content-root>/blobs/sha256/<hex>} (the data-root's {@code
 * content} directory). A blob appears under its final name only after its bytes were hashed,
 * checked and fsynced, so a present blob is always complete and correct.
 *
 * <p>Writers of the same digest are single-flighted inside this process: the second waits for
 * the first and does not read its own source unless the first failed. Across processes the
 * daemon's data-root lock keeps one owner.
 */
public final class ContentStore {
  /** Temp files carry this marker; any left at open are debris of a crash. */
  private static final String TEMP_MARKER = ".tmp-";

  private final Path blobDir;
  private final ConcurrentHashMap<Digest, CompletableFuture<Void>> inFlight =
      new ConcurrentHashMap<>();

  private ContentStore(Path blobDir) {
    this.blobDir = blobDir;
  }

  /** A lazily opened source of bytes, so a writer that loses the race never opens it. */
  @FunctionalInterface
  public interface Source {
    InputStream open() throws IOException;
  }

  /**
   * The outcome of a write.
   *
   * @param written true if this call wrote the blob; false if it was already there or another
   *     writer of the same digest stored it meanwhile
   */
  public record Stored(Digest digest, long size, boolean written) {}

  /** The engine's store, {@code <data-root>/content}. */
  public static ContentStore open(EngineConfig config) throws IOException {
    return open(config.dataRoot().resolve("content"));
  }

  /**
   * Opens (creating if needed) the store at {@code contentRoot} and removes temp files left by
   * a crash.
   */
  public static ContentStore open(Path contentRoot) throws IOException {
    Path dir = contentRoot.toAbsolutePath().normalize().resolve("blobs").resolve("sha256");
    Files.createDirectories(dir);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + TEMP_MARKER + "*")) {
      for (Path stale : entries) {
        Files.deleteIfExists(stale);
      }
    }
    return new ContentStore(dir);
  }

  /** Where a blob with this digest lives (it may not exist). */
  public Path path(Digest digest) {
    return blobDir.resolve(digest.hex());
  }

  public boolean exists(Digest digest) {
    return Files.isRegularFile(path(digest));
  }

  /** The blob's size in bytes; {@link BerthException.NotFound} if absent. */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(path(digest));
    } catch (NoSuchFileException e) {
      throw notFound(digest);
    }
  }

  /** Opens the blob for reading; {@link BerthException.NotFound} if absent. */
  public InputStream open(Digest digest) throws IOException {
    try {
      return Files.newInputStream(path(digest));
    } catch (NoSuchFileException e) {
      throw notFound(digest);
    }
  }

  /** Reads a small blob whole; callers cap the size before (manifests, configs). */
  public byte[] readAll(Digest digest) throws IOException {
    try {
      return Files.readAllBytes(path(digest));
    } catch (NoSuchFileException e) {
      throw notFound(digest);
    }
  }

  /** Deletes the blob; returns false if it was not there. */
  public boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(path(digest));
  }

  /** All stored digests, sorted. */
  public List<Digest> list() throws IOException {
    List<Digest> digests = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.length() == 64 && !name.contains(TEMP_MARKER)) {
          try {
            digests.add(new Digest(name));
          } catch (BerthException.InvalidArgument foreign) {
            // Not ours (a stray file): the store lists only what it could have written.
          }
        }
      }
    }
    digests.sort(null);
    return digests;
  }

  /** Stores bytes of unknown size, at most {@code maxSize}, that must hash to {@code expected}. */
  public Stored write(Digest expected, InputStream in, long maxSize) throws IOException {
    return write(expected, -1, maxSize, () -> in, _ -> {});
  }

  /**
   * Stores a blob unless present. The source is opened only by the writer that does the work.
   *
   * @param expectedSize the exact size, or -1 if unknown
   * @param maxSize the most bytes accepted when the size is unknown
   * @param progress told the bytes written so far, after each chunk
   * @throws BerthException.InvalidArgument if the bytes do not match the digest or size; no
   *     blob and no temp file is left behind
   */
  public Stored write(
      Digest expected, long expectedSize, long maxSize, Source source, LongConsumer progress)
      throws IOException {
    try (InputStream in = readThrough(expected, expectedSize, maxSize, source, progress)) {
      if (!(in instanceof StoringStream storing)) {
        return new Stored(expected, Files.size(path(expected)), false);
      }
      storing.drain();
      return new Stored(expected, storing.total(), true);
    } catch (UncheckedIOException e) {
      throw e.getCause(); // SourceFailedException too: callers retry on an IOException
    }
  }

  /**
   * The blob's bytes, stored as the caller reads them if the blob is not present yet: when the
   * caller reaches the end, the bytes have been checked against the digest and size, fsynced and
   * renamed into place; a mismatch is thrown from {@code read} (before the end is seen) and
   * leaves nothing. Closing the stream before its end abandons the write. A present blob, or one
   * another caller stores meanwhile (single-flighted as in {@link #write}), is read from the
   * store and {@code source} is never opened.
   *
   * <p>This lets a layer be unpacked while it downloads, without reading the blob back.
   *
   * @throws SourceFailedException (from {@code read}, unchecked) reading the source failed
   * @throws BerthException.InvalidArgument (from {@code read}) the bytes are not the blob
   * @throws UncheckedIOException (from {@code read}) writing the store failed
   */
  public InputStream readThrough(
      Digest expected, long expectedSize, long maxSize, Source source, LongConsumer progress)
      throws IOException {
    while (true) {
      if (exists(expected)) {
        return open(expected);
      }
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> leader = inFlight.putIfAbsent(expected, mine);
      if (leader != null) {
        awaitQuietly(leader);
        continue; // Present now, or the leader failed and this caller tries its own source.
      }
      Path temp = blobDir.resolve(expected.hex() + TEMP_MARKER + UUID.randomUUID());
      try {
        return new StoringStream(expected, expectedSize, maxSize, source, temp, path(expected),
            this::syncDirectory, progress, failure -> {
              inFlight.remove(expected, mine);
              if (failure == null) {
                mine.complete(null);
              } else {
                mine.completeExceptionally(failure);
              }
            });
      } catch (IOException | RuntimeException | Error e) {
        inFlight.remove(expected, mine);
        mine.completeExceptionally(e);
        throw e;
      }
    }
  }

  /** Reading a blob's source failed (a connection lost mid-download): worth another try. */
  public static final class SourceFailedException extends UncheckedIOException {
    public SourceFailedException(Digest digest, IOException cause) {
      super("reading the source of blob " + digest + " failed: " + cause.getMessage(), cause);
    }
  }

  private static void awaitQuietly(CompletableFuture<Void> leader) {
    try {
      leader.get();
    } catch (ExecutionException leaderFailed) {
      // The waiter retries on its own; the leader's caller reports the leader's failure.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("interrupted while waiting for a blob download");
    }
  }

  /** Makes the rename durable: a crash after this keeps the blob's directory entry. */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(blobDir, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("syncing " + blobDir + ": " + e.getMessage(), e);
    }
  }

  private static BerthException.NotFound notFound(Digest digest) {
    return new BerthException.NotFound(
        "blob " + digest + " is not in the content store; pull the image again");
  }
}
