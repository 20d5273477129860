package dev.berth.engine.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Bytes written once and then read at any position: kept in memory up to {@code memoryLimit},
 * moved to {@code file} when they grow past it. A build context is usually small (the
 * benchmark's 1,000 files are 1 MB of tar): in memory it costs no file write and no read
 * syscall per COPY source (decision 2400). Not thread-safe while written; reads may be shared.
 */
public final class SpooledBytes implements AutoCloseable {
  private final Path file;
  private final int memoryLimit;
  private byte[] memory = new byte[64 * 1024];
  private int count;
  private FileChannel channel;
  private OutputStream fileOut;
  private long length;

  public SpooledBytes(Path file, int memoryLimit) {
    this.file = file;
    this.memoryLimit = memoryLimit;
  }

  /** Appends {@code len} bytes. */
  public void write(byte[] b, int off, int len) throws IOException {
    if (channel == null && (long) count + len > memoryLimit) {
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      fileOut = Channels.newOutputStream(channel);
      fileOut.write(memory, 0, count);
      memory = null;
    }
    if (channel != null) {
      fileOut.write(b, off, len);
    } else {
      if (count + len > memory.length) {
        memory = Arrays.copyOf(memory, Math.min(memoryLimit, Math.max(count + len, memory.length * 2)));
      }
      System.arraycopy(b, off, memory, count, len);
      count += len;
    }
    length += len;
  }

  /** Appends the rest of {@code in}. */
  public void writeAll(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      write(buf, 0, n);
    }
  }

  public long length() {
    return length;
  }

  /** Whether the bytes went to the file. */
  public boolean onDisk() {
    return channel != null;
  }

  /** Reads into {@code dst} from {@code position}; -1 past the end. */
  public int read(ByteBuffer dst, long position) throws IOException {
    if (position >= length) {
      return -1;
    }
    if (channel != null) {
      return channel.read(dst, position);
    }
    int n = (int) Math.min(dst.remaining(), length - position);
    dst.put(memory, (int) position, n);
    return n;
  }

  /** A stream of {@code size} bytes from {@code position} (clamped to the end). */
  public InputStream open(long position, long size) {
    long end = Math.min(length, position + size);
    if (channel == null) {
      return new java.io.ByteArrayInputStream(memory, (int) Math.min(position, end), (int) (end - Math.min(position, end)));
    }
    return new InputStream() {
      private long pos = position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
          return -1;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
        if (n < 0) {
          return -1;
        }
        pos += n;
        return n;
      }
    };
  }

  /** All the bytes, from the start. */
  public InputStream open() {
    return open(0, length);
  }

  /**
   * A stream over {@code in} that appends what is read to these bytes, skipped bytes included
   * (a tar reader skips the contents it does not need: they must still be kept).
   */
  public InputStream recording(InputStream in) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          write(b, off, n);
        }
        return n;
      }

      @Override
      public long skip(long n) throws IOException {
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
      public int available() throws IOException {
        return in.available();
      }
    };
  }

  /** Frees the memory and removes the file, if any. */
  @Override
  public void close() throws IOException {
    memory = null;
    if (channel != null) {
      channel.close();
    }
    Files.deleteIfExists(file);
  }
}
