package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.ProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A TCP socket that lives in another network namespace (a pod's), as CRI runtimes open one for
 * port-forward: a platform thread of its own enters the namespace ({@code setns}), creates the
 * socket there, goes back, and ends. A socket stays in the namespace it was created in, so its
 * connect and every byte after go through the pod's network while berthd stays in its own.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class NetnsSockets {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;

  // int open(const char *path, int flags)
  private static final MethodHandle OPEN = Libc.withErrno("open", FunctionDescriptor.of(INT, PTR, INT));
  // int setns(int fd, int nstype)
  private static final MethodHandle SETNS = Libc.withErrno("setns", FunctionDescriptor.of(INT, INT, INT));
  // int close(int fd)
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));

  static {
    // The JDK's socket classes probe the host (IPv6 support…) once, at first use: let that be here.
    try {
      SocketChannel.open().close();
    } catch (IOException ignored) {
      // a host without sockets fails later, with the call that needs one
    }
  }

  private NetnsSockets() {}

  /** An unconnected socket of {@code family} in the network namespace {@code netns} (a bound file or /proc/PID/ns/net). */
  public static SocketChannel open(Path netns, ProtocolFamily family) throws IOException {
    SocketChannel[] made = new SocketChannel[1];
    IOException[] failure = new IOException[1];
    // A platform thread: a virtual thread's carrier would be left in the pod's namespace.
    Thread t = Thread.ofPlatform().name("netns-socket").start(() -> {
      try {
        made[0] = inNamespace(netns, family);
      } catch (IOException e) {
        failure[0] = e;
      } catch (Throwable e) {
        failure[0] = new IOException(e.toString(), e);
      }
    });
    boolean interrupted = false;
    while (true) {
      try {
        t.join(); // a short wait, always to the end, so the socket never leaks
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return made[0];
  }

  /** Runs on a thread that ends right after, wherever it ends up. */
  private static SocketChannel inNamespace(Path netns, ProtocolFamily family) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int home = open(arena, state, "/proc/thread-self/ns/net");
      try {
        int target = open(arena, state, netns.toString());
        try {
          if ((int) SETNS.invokeExact(state, target, CLONE_NEWNET) < 0) {
            throw errno("setns(" + netns + ")", state);
          }
        } finally {
          int ignored = (int) CLOSE.invokeExact(target);
        }
        SocketChannel channel = null;
        try {
          channel = SocketChannel.open(family);
        } finally {
          // The thread ends anyway, so a failure here harms nothing but this socket.
          if ((int) SETNS.invokeExact(state, home, CLONE_NEWNET) < 0) {
            if (channel != null) {
              channel.close();
            }
            throw errno("setns back to berthd's namespace", state);
          }
        }
        return channel;
      } finally {
        int ignored = (int) CLOSE.invokeExact(home);
      }
    }
  }

  private static int open(Arena arena, MemorySegment state, String path) throws Throwable {
    int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw errno("open(" + path + ")", state);
    }
    return fd;
  }

  private static IOException errno(String call, MemorySegment state) {
    int errno = Libc.errno(state);
    return new LinuxFs.ErrnoException(call + ": " + LinuxFs.strerror(errno), errno);
  }
}
