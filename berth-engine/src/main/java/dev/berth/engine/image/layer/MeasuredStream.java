package dev.berth.engine.image.layer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The uncompressed tar stream as it is read: hashes it (the diff ID), counts it, and stops a
 * decompression bomb at {@code limit} bytes before it fills the disk.
 */
final class MeasuredStream extends FilterInputStream {

  /** Thrown when the stream grows past the limit; the unpacker turns it into a clear refusal. */
  static final class LimitExceededException extends IOException {
    LimitExceededException(long limit) {
      super("uncompressed layer exceeds " + limit + " bytes");
    }
  }

  private final MessageDigest sha256;
  private final long limit;
  private long count;

  MeasuredStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      account(1);
      sha256.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n > 0) {
      account(n);
      sha256.update(buf, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed: read them instead.
    byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void account(int n) throws LimitExceededException {
    count += n;
    if (count > limit) {
      throw new LimitExceededException(limit);
    }
  }

  /** Reads to the end: bytes after the tar's end-of-archive blocks are part of the diff ID. */
  void drain() throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (read(buf, 0, buf.length) >= 0) {
      // only hashing and counting
    }
  }

  long count() {
    return count;
  }

  String digest() {
    return "sha256:" + HexFormat.of().formatHex(sha256.digest());
  }
}
