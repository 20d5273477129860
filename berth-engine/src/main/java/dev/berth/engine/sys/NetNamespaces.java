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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A new network namespace bound on a file, with loopback up, made inside berthd: what
 * {@code unshare --net=FILE} plus the CNI loopback plugin do, without starting two processes
 * (~20 ms of a container's start). A thread of its own enters the namespace (a namespace is
 * per thread in Linux) and ends after the bind mount, so no other code ever runs in it.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class NetNamespaces {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final long MS_BIND = 4096;
  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final long SIOCGIFFLAGS = 0x8913;
  private static final long SIOCSIFFLAGS = 0x8914;
  private static final short IFF_UP = 0x1;
  /** struct ifreq: char ifr_name[16], then a union whose first short is ifr_flags; 40 bytes. */
  private static final long IFREQ_SIZE = 40;
  private static final long IFR_FLAGS = 16;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final ValueLayout INT = ValueLayout.JAVA_INT;

  // int unshare(int flags)
  private static final MethodHandle UNSHARE = LINKER.downcallHandle(
      LINKER.defaultLookup().find("unshare").orElseThrow(), FunctionDescriptor.of(INT, INT), CAPTURE_ERRNO);
  // int socket(int domain, int type, int protocol)
  private static final MethodHandle SOCKET = LINKER.downcallHandle(
      LINKER.defaultLookup().find("socket").orElseThrow(), FunctionDescriptor.of(INT, INT, INT, INT), CAPTURE_ERRNO);
  // int ioctl(int fd, unsigned long request, ...): one pointer after the variadic mark
  private static final MethodHandle IOCTL = LINKER.downcallHandle(
      LINKER.defaultLookup().find("ioctl").orElseThrow(),
      FunctionDescriptor.of(INT, INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
      Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
  // int close(int fd)
  private static final MethodHandle CLOSE = LINKER.downcallHandle(
      LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(INT, INT));

  private NetNamespaces() {}

  /**
   * Makes a network namespace, brings its loopback up and bind-mounts it on {@code file} (which
   * must exist). On failure nothing is mounted.
   */
  public static void createBound(Path file) throws IOException {
    IOException[] failure = new IOException[1];
    // A platform thread: a virtual thread's carrier would stay in the new namespace.
    Thread t = Thread.ofPlatform().name("netns-create").start(() -> {
      try {
        inNewNamespace(file);
      } catch (IOException e) {
        failure[0] = e;
      } catch (Throwable e) {
        failure[0] = new IOException(e.toString(), e);
      }
    });
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making a network namespace at " + file, e);
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /** Runs on a thread that ends right after: it stays in the new namespace. */
  private static void inNewNamespace(Path file) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) UNSHARE.invokeExact(state, CLONE_NEWNET) < 0) {
        throw errno("unshare(CLONE_NEWNET)", state);
      }
      loopbackUp(arena, state);
      Mounts.mount("/proc/thread-self/ns/net", file, "none", MS_BIND, null);
    }
  }

  private static void loopbackUp(Arena arena, MemorySegment state) throws Throwable {
    int fd = (int) SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw errno("socket", state);
    }
    try {
      MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
      ifreq.copyFrom(MemorySegment.ofArray("lo".getBytes(StandardCharsets.US_ASCII)));
      if ((int) IOCTL.invokeExact(state, fd, SIOCGIFFLAGS, ifreq) < 0) {
        throw errno("ioctl(SIOCGIFFLAGS, lo)", state);
      }
      short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFR_FLAGS);
      ifreq.set(ValueLayout.JAVA_SHORT, IFR_FLAGS, (short) (flags | IFF_UP));
      if ((int) IOCTL.invokeExact(state, fd, SIOCSIFFLAGS, ifreq) < 0) {
        throw errno("ioctl(SIOCSIFFLAGS, lo up)", state);
      }
    } finally {
      int ignored = (int) CLOSE.invokeExact(fd);
    }
  }

  private static IOException errno(String call, MemorySegment state) {
    int errno = (int) ERRNO.get(state, 0L);
    return new LinuxFs.ErrnoException(call + ": " + LinuxFs.strerror(errno), errno);
  }
}
