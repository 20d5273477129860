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
import java.nio.file.Path;

/**
 * A connected AF_UNIX SOCK_SEQPACKET client socket (conmon's attach socket), through FFM: the
 * JDK's UnixDomainSocketAddress channels only do SOCK_STREAM. Calls block in native code, which
 * pins a virtual thread's carrier; run readers on platform threads. {@link #close()} first shuts
 * the socket down, which wakes a reader blocked in {@link #receive}.
 */
public final class SeqPacketSocket implements AutoCloseable {
  private static final int AF_UNIX = 1;
  private static final int SOCK_SEQPACKET = 5;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int SHUT_WR = 1;
  private static final int SHUT_RDWR = 2;
  private static final int EINTR = 4;
  private static final int SUN_PATH_MAX = 108;

  private static final MethodHandle SOCKET =
      Libc.withErrno("socket", FunctionDescriptor.of(INT, INT, INT, INT));
  private static final MethodHandle CONNECT =
      Libc.withErrno("connect", FunctionDescriptor.of(INT, INT, PTR, INT));
  private static final MethodHandle RECV =
      Libc.withErrno("recv", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT));
  private static final MethodHandle SEND =
      Libc.withErrno("send", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT));
  private static final MethodHandle SHUTDOWN =
      Libc.withErrno("shutdown", FunctionDescriptor.of(INT, INT, INT));
  private static final MethodHandle OPEN =
      Libc.withErrno("open", FunctionDescriptor.of(INT, PTR, INT));
  private static final int O_PATH_DIRECTORY_CLOEXEC = 0x200000 | 0x10000 | 0x80000;
  private static final MethodHandle CLOSE =
      Libc.withErrno("close", FunctionDescriptor.of(INT, INT));

  private final int fd;
  private final int maxPacket;
  private volatile boolean closed;

  private SeqPacketSocket(int fd, int maxPacket) {
    this.fd = fd;
    this.maxPacket = maxPacket;
  }

  /**
   * Connects to the socket at {@code path}.
   *
   * @param maxPacket the largest packet the peer sends (longer ones would be truncated)
   */
  public static SeqPacketSocket connect(Path path, int maxPacket) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc.errnoState(arena);
      int dirFd = -1;
      byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
      if (name.length >= SUN_PATH_MAX) {
        // sun_path holds 107 bytes; as Podman does, reach a deeper socket through an O_PATH
        // descriptor of its directory: /proc/self/fd/N/<name>.
        dirFd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path.getParent().toString()), O_PATH_DIRECTORY_CLOEXEC);
        if (dirFd < 0) {
          throw failure("open " + path.getParent(), errno);
        }
        name = ("/proc/self/fd/" + dirFd + "/" + path.getFileName()).getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
          int ignored = (int) CLOSE.invokeExact(errno, dirFd);
          throw new IOException("socket name is longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
      }
      try {
        return connect(arena, errno, name, path, maxPacket);
      } finally {
        if (dirFd >= 0) {
          int ignored = (int) CLOSE.invokeExact(errno, dirFd);
        }
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  private static SeqPacketSocket connect(Arena arena, MemorySegment errno, byte[] name, Path path, int maxPacket)
      throws Throwable {
    int fd = (int) SOCKET.invokeExact(errno, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw failure("socket", errno);
    }
    // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
    MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX);
    addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
    MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
    int rc;
    do {
      rc = (int) CONNECT.invokeExact(errno, fd, addr, (int) addr.byteSize());
    } while (rc < 0 && Libc.errno(errno) == EINTR);
    if (rc < 0) {
      IOException e = failure("connect to " + path, errno);
      int ignored = (int) CLOSE.invokeExact(errno, fd);
      throw e;
    }
    return new SeqPacketSocket(fd, maxPacket);
  }

  /** The next packet, or null when the peer closed the connection. */
  public byte[] receive() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc.errnoState(arena);
      MemorySegment buf = arena.allocate(maxPacket);
      long n;
      do {
        n = (long) RECV.invokeExact(errno, fd, buf, (long) maxPacket, 0);
      } while (n < 0 && Libc.errno(errno) == EINTR && !closed);
      if (n < 0) {
        if (closed) {
          return null;
        }
        throw failure("recv", errno);
      }
      return n == 0 ? null : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  /** Sends {@code data} as one packet. */
  public void send(byte[] data) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc.errnoState(arena);
      MemorySegment buf = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
      long n;
      do {
        n = (long) SEND.invokeExact(errno, fd, buf, (long) data.length, MSG_NOSIGNAL);
      } while (n < 0 && Libc.errno(errno) == EINTR);
      if (n < 0) {
        throw failure("send", errno);
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  /** Ends our direction; conmon reads that as end of stdin. */
  public void shutdownOutput() throws IOException {
    shutdown(SHUT_WR);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    shutdown(SHUT_RDWR);
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) CLOSE.invokeExact(Libc.errnoState(arena), fd);
    } catch (Throwable t) {
      throw new IOException("native close failed", t);
    }
  }

  private void shutdown(int how) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc.errnoState(arena);
      int rc = (int) SHUTDOWN.invokeExact(errno, fd, how);
      // ENOTCONN after the peer left is fine: the direction is closed either way.
      if (rc < 0 && Libc.errno(errno) != 107) {
        throw failure("shutdown", errno);
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  private static IOException failure(String what, MemorySegment capture) {
    return new IOException(what + " failed: errno " + Libc.errno(capture));
  }
}
