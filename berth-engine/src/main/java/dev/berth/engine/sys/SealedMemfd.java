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

/**
 * An executable held in memory (memfd) and sealed: nobody can change its bytes, not even
 * through {@code /proc/<pid>/exe} of a process running it inside a container, so one copy can
 * be run in many containers (as runc seals the copy of itself it runs). The descriptor stays
 * open for the life of this process, close-on-exec; {@link #path()} reaches it from here.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it (see design.md)
public final class SealedMemfd {
  private static final int MFD_CLOEXEC = 0x1;
  private static final int MFD_ALLOW_SEALING = 0x2;
  private static final int MFD_EXEC = 0x10; // Linux 6.3+: says the memfd is meant to run
  private static final int EINVAL = 22;
  private static final int F_ADD_SEALS = 1033;
  private static final int F_SEAL_SEAL = 0x1;
  private static final int F_SEAL_SHRINK = 0x2;
  private static final int F_SEAL_GROW = 0x4;
  private static final int F_SEAL_WRITE = 0x8;

  // int memfd_create(const char *name, unsigned int flags)
  private static final MethodHandle MEMFD_CREATE =
      Libc.withErrno("memfd_create", FunctionDescriptor.of(INT, PTR, INT));
  // ssize_t write(int fd, const void *buf, size_t count)
  private static final MethodHandle WRITE = Libc.withErrno("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
  // int fcntl(int fd, int cmd, ...) with an int argument
  private static final MethodHandle FCNTL = Libc.variadicWithErrno("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), 2);

  // int close(int fd)
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));

  private final int fd;

  private SealedMemfd(int fd) {
    this.fd = fd;
  }

  /** A memfd named {@code name} holding {@code content}, sealed against any change. */
  public static SealedMemfd of(String name, byte[] content) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment cName = arena.allocateFrom(name);
      int fd = (int) MEMFD_CREATE.invokeExact(state, cName, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
      if (fd < 0 && Libc.errno(state) == EINVAL) { // a kernel before 6.3 does not know MFD_EXEC
        fd = (int) MEMFD_CREATE.invokeExact(state, cName, MFD_CLOEXEC | MFD_ALLOW_SEALING);
      }
      if (fd < 0) {
        throw new IOException("memfd_create " + name + ": " + LinuxFs.strerror(Libc.errno(state)));
      }
      try {
        MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, content);
        for (long done = 0; done < content.length; ) {
          long n = (long) WRITE.invokeExact(state, fd, bytes.asSlice(done), content.length - done);
          if (n <= 0) {
            throw new IOException("write to memfd " + name + ": " + LinuxFs.strerror(Libc.errno(state)));
          }
          done += n;
        }
        int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        if ((int) FCNTL.invokeExact(state, fd, F_ADD_SEALS, seals) < 0) {
          throw new IOException("sealing memfd " + name + ": " + LinuxFs.strerror(Libc.errno(state)));
        }
        return new SealedMemfd(fd);
      } catch (IOException e) {
        int ignored = (int) CLOSE.invokeExact(fd);
        throw e;
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The memfd as a path this process can open (a child gets it by a redirect opened here). */
  public Path path() {
    return Path.of("/proc/self/fd/" + fd);
  }
}
