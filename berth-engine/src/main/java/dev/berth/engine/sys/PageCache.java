package dev.berth.engine.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the kernel to read a file into the page cache ({@code posix_fadvise(POSIX_FADV_WILLNEED)}):
 * the reads are queued and this returns without waiting for them, nothing is copied to Java and
 * nothing is mapped, so no process's resident set grows.
 */
public final class PageCache {
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int POSIX_FADV_WILLNEED = 3;
  /**
   * Each call reads at most the device's read-ahead window (read_ahead_kb, often 128 KiB to a few
   * MiB), so the file is asked for in pieces of this size.
   */
  static final long CHUNK = 1L << 20;

  private static final MethodHandle OPEN = Libc.withErrno("open", FunctionDescriptor.of(Libc.INT, Libc.PTR, Libc.INT));
  private static final MethodHandle FADVISE = Libc.function("posix_fadvise",
      FunctionDescriptor.of(Libc.INT, Libc.INT, Libc.LONG, Libc.LONG, Libc.INT));
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(Libc.INT, Libc.INT));

  private PageCache() {}

  /** Queues the reads of all of {@code file} into the page cache. */
  public static void willNeed(Path file) throws IOException {
    long size = Files.size(file);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY_CLOEXEC);
      if (fd < 0) {
        throw new IOException("cannot open " + file + " (errno " + Libc.errno(state) + ")");
      }
      try {
        for (long offset = 0; offset < size; offset += CHUNK) {
          int error = (int) FADVISE.invokeExact(fd, offset, Math.min(CHUNK, size - offset), POSIX_FADV_WILLNEED);
          if (error != 0) {
            throw new IOException("posix_fadvise(WILLNEED) on " + file + " failed (errno " + error + ")");
          }
        }
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
