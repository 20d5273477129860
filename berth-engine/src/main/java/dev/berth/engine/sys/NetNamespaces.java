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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A new network namespace bound on a file, with loopback up, made inside berthd: what
 * {@code unshare --net=FILE} plus the CNI loopback plugin do, without starting two processes
 * (~20 ms of a container's start). For pods, also the IPC and UTS namespaces (with the pod's
 * hostname and sysctls), which the pod's containers join by path: no infra process. A thread of its own enters the namespace (a namespace is
 * per thread in Linux) and ends after the bind mount, so no other code ever runs in it.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class NetNamespaces {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int CLONE_NEWIPC = 0x08000000;
  private static final int CLONE_NEWUTS = 0x04000000;
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

  // int unshare(int flags)
  private static final MethodHandle UNSHARE = Libc.withErrno("unshare", FunctionDescriptor.of(INT, INT));
  // int socket(int domain, int type, int protocol)
  private static final MethodHandle SOCKET = Libc.withErrno("socket", FunctionDescriptor.of(INT, INT, INT, INT));
  // int ioctl(int fd, unsigned long request, ...): one pointer after the variadic mark
  private static final MethodHandle IOCTL = Libc.variadicWithErrno("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR), 2);
  // int sethostname(const char *name, size_t len)
  private static final MethodHandle SETHOSTNAME = Libc.withErrno("sethostname", FunctionDescriptor.of(INT, PTR, LONG));
  // int close(int fd)
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));

  private NetNamespaces() {}

  /**
   * Makes a network namespace, brings its loopback up and bind-mounts it on {@code file} (which
   * must exist). On failure nothing is mounted.
   */
  public static void createBound(Path file) throws IOException {
    createBound(new Pinned(file, null, null, "", Map.of()));
  }

  /**
   * What to make for a pod (CRI-O's pinned namespaces): each non-null file (which must exist)
   * gets a new namespace of its kind bound on it; the UTS one gets {@code hostname} (when not
   * empty); {@code sysctls} (already checked to belong to these namespaces) are written inside.
   */
  public record Pinned(Path net, Path ipc, Path uts, String hostname, Map<String, String> sysctls) {}

  /** Makes the namespaces {@code p} names, set up and bound on their files; on failure nothing is mounted. */
  public static void createBound(Pinned p) throws IOException {
    IOException[] failure = new IOException[1];
    // A platform thread: a virtual thread's carrier would stay in the new namespaces.
    Thread t = Thread.ofPlatform().name("netns-create").start(() -> {
      try {
        inNewNamespaces(p);
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
      throw new IOException("interrupted while making the namespaces " + p, e);
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /** Runs on a thread that ends right after: it stays in the new namespaces. */
  private static void inNewNamespaces(Pinned p) throws Throwable {
    int flags = (p.net() != null ? CLONE_NEWNET : 0) | (p.ipc() != null ? CLONE_NEWIPC : 0)
        | (p.uts() != null ? CLONE_NEWUTS : 0);
    if (flags == 0) {
      return;
    }
    List<Path> bound = new ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      if ((int) UNSHARE.invokeExact(state, flags) < 0) {
        throw errno("unshare", state);
      }
      if (p.net() != null) {
        loopbackUp(arena, state);
      }
      if (p.uts() != null && !p.hostname().isEmpty()) {
        byte[] name = p.hostname().getBytes(StandardCharsets.UTF_8);
        MemorySegment buf = arena.allocate(name.length);
        buf.copyFrom(MemorySegment.ofArray(name));
        if ((int) SETHOSTNAME.invokeExact(state, buf, (long) name.length) < 0) {
          throw errno("sethostname(" + p.hostname() + ")", state);
        }
      }
      // /proc/sys resolves net.* and the IPC keys by the writing thread's namespaces: this one's
      for (Map.Entry<String, String> e : p.sysctls().entrySet()) {
        Path file = Path.of("/proc/sys", e.getKey().replace('.', '/'));
        try {
          Files.writeString(file, e.getValue());
        } catch (IOException x) {
          throw new IOException("cannot set sysctl " + e.getKey() + "=" + e.getValue() + ": " + x.getMessage(), x);
        }
      }
      bind("net", p.net(), bound);
      bind("ipc", p.ipc(), bound);
      bind("uts", p.uts(), bound);
    } catch (Throwable e) {
      for (Path f : bound) {
        try {
          Mounts.unmount(f, Mounts.MNT_DETACH);
        } catch (IOException ignored) {
          // the first failure is the one to report
        }
      }
      throw e;
    }
  }

  private static void bind(String kind, Path file, List<Path> bound) throws IOException {
    if (file != null) {
      Mounts.mount("/proc/thread-self/ns/" + kind, file, "none", MS_BIND, null);
      bound.add(file);
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
    int errno = Libc.errno(state);
    return new LinuxFs.ErrnoException(call + ": " + LinuxFs.strerror(errno), errno);
  }
}
