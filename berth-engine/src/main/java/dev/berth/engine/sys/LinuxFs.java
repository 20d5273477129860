package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.LONG;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Instant;

/**
 * File-system calls the JDK lacks (device nodes, ownership without following links, trusted.*
 * xattrs, setuid/setgid/sticky modes), made through FFM. Every failure is an IOException that
 * names the call, the path and the kernel's reason (strerror), so callers can pass it on.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it (see design.md)
public final class LinuxFs {

  public static final int S_IFMT = 0170000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFIFO = 0010000;

  public static final int EPERM = 1;
  public static final int ENODATA = 61;
  public static final int EOPNOTSUPP = 95;

  // int mknod(const char *path, mode_t mode, dev_t dev)
  private static final MethodHandle MKNOD = Libc.withErrno("mknod", FunctionDescriptor.of(INT, PTR, INT, LONG));
  // int lchown(const char *path, uid_t owner, gid_t group)
  private static final MethodHandle LCHOWN = Libc.withErrno("lchown", FunctionDescriptor.of(INT, PTR, INT, INT));
  // int symlink(const char *target, const char *linkpath)
  private static final MethodHandle SYMLINK = Libc.withErrno("symlink", FunctionDescriptor.of(INT, PTR, PTR));
  // int chmod(const char *path, mode_t mode)
  private static final MethodHandle CHMOD = Libc.withErrno("chmod", FunctionDescriptor.of(INT, PTR, INT));
  // int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
  private static final MethodHandle LSETXATTR =
      Libc.withErrno("lsetxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
  // ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
  private static final MethodHandle LGETXATTR =
      Libc.withErrno("lgetxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
  // int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
  private static final MethodHandle UTIMENSAT =
      Libc.withErrno("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
  // int open(const char *path, int flags) — variadic in C; two fixed args are enough here
  private static final MethodHandle OPEN = Libc.withErrno("open", FunctionDescriptor.of(INT, PTR, INT));
  // int syncfs(int fd)
  private static final MethodHandle SYNCFS = Libc.withErrno("syncfs", FunctionDescriptor.of(INT, INT));
  // int close(int fd)
  private static final MethodHandle CLOSE =
      Libc.function("close", FunctionDescriptor.of(INT, INT));
  // uid_t geteuid(void)
  private static final MethodHandle GETEUID =
      Libc.function("geteuid", FunctionDescriptor.of(INT));
  // char *strerror(int errnum)
  private static final MethodHandle STRERROR =
      Libc.function("strerror", FunctionDescriptor.of(PTR, INT));

  private LinuxFs() {}

  /** The effective user ID of this process; 0 means root. */
  public static int geteuid() {
    try {
      return (int) GETEUID.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException("geteuid failed", t);
    }
  }

  /** Linux's dev_t encoding of a device number (glibc's makedev). */
  public static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
        | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
  }

  /** Creates a device node or FIFO; {@code mode} carries the file type (S_IFCHR...) and permissions. */
  public static void mknod(Path path, int mode, long dev) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int rc = (int) MKNOD.invokeExact(state, cString(arena, path), mode, dev);
      check(rc, state, "mknod", path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Creates a symlink whose target is exactly {@code target}, byte for byte (the JDK would
   * normalize it as a Path, dropping a trailing or doubled slash).
   */
  public static void symlink(String target, Path link) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int rc = (int) SYMLINK.invokeExact(state, arena.allocateFrom(target), cString(arena, link));
      check(rc, state, "symlink", link);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Sets the owner of {@code path} itself, never of a symlink's target. */
  public static void lchown(Path path, int uid, int gid) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int rc = (int) LCHOWN.invokeExact(state, cString(arena, path), uid, gid);
      check(rc, state, "lchown", path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Sets all mode bits, setuid/setgid/sticky included (the JDK's POSIX permissions cannot).
   * chmod follows symlinks: call it only on a path known not to be one.
   */
  public static void chmod(Path path, int mode) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int rc = (int) CHMOD.invokeExact(state, cString(arena, path), mode & 07777);
      check(rc, state, "chmod", path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Sets an extended attribute on {@code path} itself (not a symlink's target). */
  public static void lsetxattr(Path path, String name, byte[] value) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment v = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
      int rc = (int) LSETXATTR.invokeExact(
          state, cString(arena, path), arena.allocateFrom(name), v, (long) value.length, 0);
      check(rc, state, "lsetxattr " + name, path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Reads an extended attribute of {@code path} itself; null when it is not set. */
  public static byte[] lgetxattr(Path path, String name) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment p = cString(arena, path);
      MemorySegment n = arena.allocateFrom(name);
      long size = (long) LGETXATTR.invokeExact(state, p, n, MemorySegment.NULL, 0L);
      if (size < 0 && Libc.errno(state) == ENODATA) {
        return null;
      }
      check(size, state, "lgetxattr " + name, path);
      MemorySegment buf = arena.allocate(Math.max(1, size));
      long read = (long) LGETXATTR.invokeExact(state, p, n, buf, size);
      check(read, state, "lgetxattr " + name, path);
      return buf.asSlice(0, read).toArray(ValueLayout.JAVA_BYTE);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Sets access and modification times of {@code path} itself (utimensat, AT_SYMLINK_NOFOLLOW).
   * The JDK's setTimes opens the file first, which blocks forever on a FIFO.
   */
  public static void lutimes(Path path, Instant atime, Instant mtime) throws IOException {
    final int atFdcwd = -100;
    final int atSymlinkNofollow = 0x100;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment times = arena.allocate(LONG, 4); // two struct timespec {tv_sec, tv_nsec}
      times.setAtIndex(LONG, 0, atime.getEpochSecond());
      times.setAtIndex(LONG, 1, atime.getNano());
      times.setAtIndex(LONG, 2, mtime.getEpochSecond());
      times.setAtIndex(LONG, 3, mtime.getNano());
      int rc = (int) UTIMENSAT.invokeExact(state, atFdcwd, cString(arena, path), times, atSymlinkNofollow);
      check(rc, state, "utimensat", path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Flushes the whole file system holding {@code path} to disk: one call instead of an fsync per
   * file, for trees written in bulk (an unpacked layer) before they are renamed into place.
   */
  public static void syncfs(Path path) throws IOException {
    final int oRdonlyDirectoryCloexec = 0 | 0200000 | 02000000;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int fd = (int) OPEN.invokeExact(state, cString(arena, path), oRdonlyDirectoryCloexec);
      check(fd, state, "open", path);
      try {
        int rc = (int) SYNCFS.invokeExact(state, fd);
        check(rc, state, "syncfs", path);
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MemorySegment cString(Arena arena, Path path) {
    return arena.allocateFrom(path.toString());
  }

  private static void check(long rc, MemorySegment state, String call, Path path) throws IOException {
    if (rc < 0) {
      int errno = Libc.errno(state);
      throw new ErrnoException(call + " " + path + ": " + strerror(errno), errno);
    }
  }

  public static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.reinterpret(Long.MAX_VALUE).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  /** An IOException that keeps the errno, so callers can tell EPERM from other failures. */
  public static final class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String message, int errno) {
      super(message);
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }
}
