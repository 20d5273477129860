package dev.berth.engine.content;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A source's bytes, written to a blob temp file and hashed as the caller reads them. At the
 * source's end the size and digest are checked; only then is the file fsynced and renamed to its
 * digest, and only then does the caller see the end of the stream. On a mismatch, a source
 * failure or an early {@link #close} the temp file is deleted and nothing is stored.
 *
 * <p>Failures are unchecked so they pass unchanged through decompressors and tar readers that
 * wrap every IOException: {@link BerthException.InvalidArgument} for bytes that are not the blob,
 * {@link ContentStore.SourceFailedException} when reading the source failed (worth a retry), and
 * {@link UncheckedIOException} when writing the store failed.
 */
final class StoringStream extends InputStream {
  /** Bytes read from the source per write to the temp file: few syscalls, little memory. */
  private static final int CHUNK = 256 * 1024;

  private final Digest expected;
  private final long expectedSize;
  private final long maxSize;
  private final Path temp;
  private final Path target;
  private final Runnable syncDirectory;
  private final LongConsumer progress;
  private final Consumer<Throwable> finished;
  private final InputStream in;
  private final FileChannel out;
  private final MessageDigest sha = Digest.newSha256();
  private final byte[] buffer = new byte[CHUNK];
  private int position;
  private int end;
  private long total;
  private boolean stored;
  private RuntimeException failure;

  /**
   * Opens the source and the temp file.
   *
   * @param finished told once: null when the blob is stored, else why it was not
   */
  StoringStream(Digest expected, long expectedSize, long maxSize, ContentStore.Source source,
      Path temp, Path target, Runnable syncDirectory, LongConsumer progress,
      Consumer<Throwable> finished) throws IOException {
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.maxSize = maxSize;
    this.temp = temp;
    this.target = target;
    this.syncDirectory = syncDirectory;
    this.progress = progress;
    this.finished = finished;
    try {
      this.in = source.open();
    } catch (IOException e) {
      ContentStore.SourceFailedException failed = new ContentStore.SourceFailedException(expected, e);
      finished.accept(failed);
      throw failed;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      closeQuietly(in);
      finished.accept(e);
      throw e;
    }
    this.out = channel;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (failure != null) {
      throw failure;
    }
    if (len == 0) {
      return 0;
    }
    if (position == end) {
      if (stored) {
        return -1;
      }
      try {
        fill();
      } catch (RuntimeException e) {
        abandon(e);
        throw e;
      }
      if (position == end) {
        return -1;
      }
    }
    int n = Math.min(len, end - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    return n;
  }

  /** Reads the rest of the source (storing it) without handing it to anyone. */
  void drain() {
    byte[] sink = new byte[CHUNK];
    while (read(sink, 0, sink.length) >= 0) {
      // storing only
    }
  }

  /** The bytes read from the source so far. */
  long total() {
    return total;
  }

  /** Whether the blob is stored under its digest (the source was read to its end and matched). */
  boolean stored() {
    return stored;
  }

  /** Closes the source; a blob not stored yet is abandoned and its temp file deleted. */
  @Override
  public void close() {
    closeQuietly(in);
    if (!stored && failure == null) {
      abandon(new IllegalStateException("blob " + expected + " was closed before its end; nothing was stored"));
    }
  }

  private void fill() {
    int n = 0;
    boolean atEnd = false;
    while (n < buffer.length) {
      int r;
      try {
        r = in.read(buffer, n, buffer.length - n);
      } catch (IOException e) {
        throw new ContentStore.SourceFailedException(expected, e);
      }
      if (r < 0) {
        atEnd = true;
        break;
      }
      n += r;
    }
    if (n > 0) {
      accept(n);
    }
    position = 0;
    end = n;
    if (atEnd) {
      store();
    }
  }

  private void accept(int n) {
    total += n;
    long limit = expectedSize >= 0 ? expectedSize : maxSize;
    if (total > limit) {
      throw new BerthException.InvalidArgument(
          "blob " + expected + " is larger than " + (expectedSize >= 0
              ? "its declared size of " + expectedSize + " bytes"
              : "the limit of " + maxSize + " bytes")
              + "; the source is corrupt or not what was asked for");
    }
    sha.update(buffer, 0, n);
    try {
      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
      while (chunk.hasRemaining()) {
        out.write(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing blob " + expected + ": " + e.getMessage(), e);
    }
    progress.accept(total);
  }

  private void store() {
    if (expectedSize >= 0 && total != expectedSize) {
      throw new BerthException.InvalidArgument(
          "blob " + expected + " has " + total + " bytes, expected " + expectedSize
              + "; the download was cut short or the source is corrupt");
    }
    Digest actual = Digest.fromSha256(sha.digest());
    if (!actual.equals(expected)) {
      throw new BerthException.InvalidArgument(
          "digest mismatch: expected " + expected + " but the content hashes to " + actual
              + "; the source is corrupt or not what was asked for, nothing was stored");
    }
    try {
      out.force(true);
      out.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("storing blob " + expected + ": " + e.getMessage(), e);
    }
    syncDirectory.run();
    stored = true;
    finished.accept(null);
  }

  private void abandon(RuntimeException why) {
    if (failure != null || stored) {
      return;
    }
    failure = why;
    closeQuietly(in);
    try {
      out.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      why.addSuppressed(e);
    }
    finished.accept(why);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // Closing a source we are done with: nothing to report that the caller would act on.
    }
  }
}
