package dev.berth.engine.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

  // int memfd_create(const char *name, unsigned int flags)
  private static final MethodHandle MEMFD_CREATE =
      call("memfd_create", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT));
  // ssize_t write(int fd, const void *buf, size_t count)
  private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG));
  // int fcntl(int fd, int cmd, ...) with an int argument
  private static final MethodHandle FCNTL = LINKER.downcallHandle(find("fcntl"), FunctionDescriptor.of(INT, INT, INT, INT),
      CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));

  // int close(int fd)
  private static final MethodHandle CLOSE = LINKER.downcallHandle(find("close"), FunctionDescriptor.of(INT, INT));

  private final int fd;

  private SealedMemfd(int fd) {
    this.fd = fd;
  }

  private static MemorySegment find(String name) {
    return LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc lacks " + name));
  }

  private static MethodHandle call(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO);
  }

  /** A memfd named {@code name} holding {@code content}, sealed against any change. */
  public static SealedMemfd of(String name, byte[] content) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      MemorySegment cName = arena.allocateFrom(name);
      int fd = (int) MEMFD_CREATE.invokeExact(state, cName, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
      if (fd < 0 && errno(state) == EINVAL) { // a kernel before 6.3 does not know MFD_EXEC
        fd = (int) MEMFD_CREATE.invokeExact(state, cName, MFD_CLOEXEC | MFD_ALLOW_SEALING);
      }
      if (fd < 0) {
        throw new IOException("memfd_create " + name + ": " + LinuxFs.strerror(errno(state)));
      }
      try {
        MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, content);
        for (long done = 0; done < content.length; ) {
          long n = (long) WRITE.invokeExact(state, fd, bytes.asSlice(done), content.length - done);
          if (n <= 0) {
            throw new IOException("write to memfd " + name + ": " + LinuxFs.strerror(errno(state)));
          }
          done += n;
        }
        int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        if ((int) FCNTL.invokeExact(state, fd, F_ADD_SEALS, seals) < 0) {
          throw new IOException("sealing memfd " + name + ": " + LinuxFs.strerror(errno(state)));
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

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }
}
