package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.LONG;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens for reading a file that someone untrusted (a microVM guest, through a writable share) may
 * have replaced: a symbolic link (to a host file berthd must not copy out) is not followed, and a
 * FIFO, device node or directory is not read. The type is checked on the open descriptor (a check
 * of the path before the open could be raced), and the open itself does not wait: a FIFO without a
 * writer would block a plain open for ever.
 */
public final class UntrustedFile {
  private static final int O_RDONLY = 0;
  private static final int O_NOCTTY = 0400;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;
  /** Its value differs between architectures (asm-generic vs arm64's own). */
  private static final int O_NOFOLLOW = System.getProperty("os.arch").equals("aarch64") ? 0100000 : 0400000;
  private static final int ENOENT = 2;
  private static final int ELOOP = 40;
  private static final MethodHandle OPEN = Libc.withErrno("open", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle LSEEK = Libc.function("lseek", FunctionDescriptor.of(LONG, INT, LONG, INT));
  private static final int SEEK_HOLE = 4;

  private UntrustedFile() {}

  /** Thrown for a path that is there but is no regular file (a link, FIFO, device or directory). */
  public static final class NotRegular extends IOException {
    NotRegular(String message) {
      super(message);
    }
  }

  /**
   * {@code file} open for reading when it is a regular file; NoSuchFileException when it is not
   * there, {@link NotRegular} when it is something else.
   */
  public static FileChannel openRegular(Path file) throws IOException {
    return openRegular(file, -1);
  }

  /**
   * As {@link #openRegular(Path)}, and {@link NotRegular} when the file has a hole at or after
   * {@code noHolesFrom} (not checked when negative). A file only ever appended to has none; a hole
   * is what a truncate to a huge size makes, which would have berthd copy terabytes of zeros that
   * cost the writer nothing.
   */
  public static FileChannel openRegular(Path file, long noHolesFrom) throws IOException {
    return openRegular(file, noHolesFrom, true);
  }

  /** {@code lookFirst} false skips the look before the open (tests reach the open's own checks). */
  static FileChannel openRegular(Path file, long noHolesFrom, boolean lookFirst) throws IOException {
    // A first look without opening: opening a device node can do something (a tty, a watchdog).
    if (lookFirst && Files.exists(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
      throw new NotRegular(file + " is not a regular file: not read");
    }
    int fd;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()),
          O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) {
        int errno = Libc.errno(state);
        if (errno == ENOENT) {
          throw new NoSuchFileException(file.toString());
        }
        if (errno == ELOOP) {
          throw new NotRegular(file + " is a symbolic link: not read");
        }
        throw new IOException("cannot open " + file + " (errno " + errno + ")");
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    try {
      // /proc/self/fd/N is the open descriptor's own file: its attributes are fstat's, and opening
      // it again reaches the same inode without walking the path.
      Path self = Path.of("/proc/self/fd/" + fd);
      BasicFileAttributes attrs = Files.readAttributes(self, BasicFileAttributes.class);
      if (!attrs.isRegularFile()) {
        throw new NotRegular(file + " is not a regular file: not read");
      }
      if (noHolesFrom >= 0 && noHolesFrom < attrs.size()) {
        long hole = (long) LSEEK.invokeExact(fd, noHolesFrom, SEEK_HOLE);
        if (hole >= 0 && hole < attrs.size()) {
          throw new NotRegular(file + " has a hole at byte " + hole + " (of " + attrs.size() + "): not read");
        }
      }
      return FileChannel.open(self, StandardOpenOption.READ);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    } finally {
      try {
        int ignored = (int) CLOSE.invokeExact(fd);
      } catch (Throwable t) {
        // closing a descriptor we opened: nothing to do about a failure
      }
    }
  }
}
