package dev.berth.engine.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pages out another process's mappings of one file ({@code process_madvise(MADV_PAGEOUT)},
 * Linux 5.10): its clean pages leave the process's resident set and, mapped nowhere else, the
 * page cache. The process keeps the mapping; a later read faults the pages in again from the file.
 */
public final class FilePageOut {
  /** One mapping: [start, end) in the process's address space. */
  record Range(long start, long end) {}

  private static final int MADV_PAGEOUT = 21;
  private static final Pattern MAPPING = Pattern.compile("[0-9a-f]+-[0-9a-f]+ "); // smaps: a mapping's first line
  // glibc 2.36 wraps both; an older one has neither, and the page-out is then skipped.
  private static final Optional<MethodHandle> PIDFD_OPEN =
      Libc.optionalFunction("pidfd_open", FunctionDescriptor.of(Libc.INT, Libc.INT, Libc.INT));
  private static final Optional<MethodHandle> PROCESS_MADVISE = Libc.optionalFunction("process_madvise",
      FunctionDescriptor.of(Libc.LONG, Libc.INT, Libc.PTR, Libc.LONG, Libc.INT, Libc.INT));
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(Libc.INT, Libc.INT));

  private FilePageOut() {}

  /**
   * Pages out process {@code pid}'s mappings of {@code file}; returns the bytes advised (0 when
   * it maps no part of the file).
   */
  public static long pageOut(long pid, Path file) throws IOException {
    // /proc/PID/maps names the file by its real path
    List<Range> ranges = mappings(Files.readAllLines(Path.of("/proc/" + pid + "/maps")), file.toRealPath().toString());
    if (ranges.isEmpty()) {
      return 0;
    }
    if (PIDFD_OPEN.isEmpty() || PROCESS_MADVISE.isEmpty()) {
      throw new IOException("the C library has no process_madvise (glibc 2.36 or later has it)");
    }
    try (Arena arena = Arena.ofConfined()) {
      int pidfd = (int) PIDFD_OPEN.get().invokeExact((int) pid, 0);
      if (pidfd < 0) {
        throw new IOException("pidfd_open " + pid + " failed");
      }
      try {
        MemorySegment iov = arena.allocate(16L * ranges.size(), 8);
        for (int i = 0; i < ranges.size(); i++) {
          iov.set(ValueLayout.JAVA_LONG, 16L * i, ranges.get(i).start());
          iov.set(ValueLayout.JAVA_LONG, 16L * i + 8, ranges.get(i).end() - ranges.get(i).start());
        }
        long advised = (long) PROCESS_MADVISE.get().invokeExact(pidfd, iov, (long) ranges.size(), MADV_PAGEOUT, 0);
        if (advised < 0) {
          throw new IOException("process_madvise(MADV_PAGEOUT) on process " + pid + " failed");
        }
        return advised;
      } finally {
        int ignored = (int) CLOSE.invokeExact(pidfd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** How much of process {@code pid}'s mappings of {@code file} is resident, from {@code /proc/PID/smaps}. */
  public static long residentBytes(long pid, Path file) throws IOException {
    return residentKib(Files.readAllLines(Path.of("/proc/" + pid + "/smaps")), file.toRealPath().toString()) << 10;
  }

  /** The sum of the "Rss:" lines (KiB) of the smaps entries that map {@code path}. */
  static long residentKib(List<String> smaps, String path) {
    long kib = 0;
    boolean in = false;
    for (String line : smaps) {
      if (line.startsWith("Rss:")) {
        if (in) {
          kib += Long.parseLong(line.substring(4).replace("kB", "").strip());
        }
      } else if (MAPPING.matcher(line).lookingAt()) {
        in = !mappings(List.of(line), path).isEmpty();
      }
    }
    return kib;
  }

  /** The ranges of {@code /proc/PID/maps} lines ("start-end perms offset dev inode path") that map {@code path}. */
  static List<Range> mappings(List<String> maps, String path) {
    List<Range> ranges = new ArrayList<>();
    for (String line : maps) {
      String[] f = line.strip().split("\\s+", 6);
      if (f.length == 6 && f[5].equals(path)) {
        int dash = f[0].indexOf('-');
        ranges.add(new Range(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
            Long.parseUnsignedLong(f[0].substring(dash + 1), 16)));
      }
    }
    return ranges;
  }
}
