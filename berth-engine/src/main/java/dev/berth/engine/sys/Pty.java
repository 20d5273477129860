package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.LONG;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A pseudo-terminal pair (posix_openpt): the master stays here, the slave is a path a child
 * process opens as its stdio. Reads block in native code: use platform threads.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class Pty implements AutoCloseable {
  private static final int O_RDWR = 2;
  private static final int O_NOCTTY = 0400;
  private static final int EIO = 5;
  private static final int EINTR = 4;
  private static final long TIOCSWINSZ = 0x5414;

  private static final MethodHandle OPENPT = Libc.withErrno("posix_openpt", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle GRANTPT = Libc.withErrno("grantpt", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle UNLOCKPT = Libc.withErrno("unlockpt", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle PTSNAME_R = Libc.withErrno("ptsname_r", FunctionDescriptor.of(INT, INT, PTR, LONG));
  private static final MethodHandle READ = Libc.withErrno("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
  private static final MethodHandle WRITE = Libc.withErrno("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
  private static final MethodHandle CLOSE = Libc.withErrno("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle TCGETATTR = Libc.withErrno("tcgetattr", FunctionDescriptor.of(INT, INT, PTR));
  private static final MethodHandle TCSETATTR = Libc.withErrno("tcsetattr", FunctionDescriptor.of(INT, INT, INT, PTR));
  private static final MethodHandle CFMAKERAW = Libc.function("cfmakeraw", FunctionDescriptor.ofVoid(PTR));
  private static final long TERMIOS_SIZE = 64; // glibc's struct termios is 60 bytes on x86_64 and aarch64
  private static final MethodHandle IOCTL = Libc.variadicWithErrno("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR), 2);

  private final int master;
  private final Path slave;
  private volatile boolean closed;

  private Pty(int master, Path slave) {
    this.master = master;
    this.slave = slave;
  }

  public static Pty open() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int fd = (int) OPENPT.invokeExact(state, O_RDWR | O_NOCTTY);
      check(fd, state, "posix_openpt");
      try {
        check((int) GRANTPT.invokeExact(state, fd), state, "grantpt");
        check((int) UNLOCKPT.invokeExact(state, fd), state, "unlockpt");
        MemorySegment name = arena.allocate(128);
        int rc = (int) PTSNAME_R.invokeExact(state, fd, name, 128L);
        if (rc != 0) {
          throw new IOException("ptsname_r: " + LinuxFs.strerror(rc));
        }
        return new Pty(fd, Path.of(name.getString(0)));
      } catch (IOException | RuntimeException e) {
        int ignored = (int) CLOSE.invokeExact(state, fd);
        throw e;
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The slave's device path, e.g. /dev/pts/7. */
  public Path slave() {
    return slave;
  }

  public void resize(int rows, int cols) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment ws = arena.allocate(8);
      ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
      ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
      check((int) IOCTL.invokeExact(state, master, TIOCSWINSZ, ws), state, "ioctl TIOCSWINSZ");
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Puts the terminal in raw mode (no echo, no line editing, no CR/LF translation), for a slave
   * that only relays another terminal's bytes, as {@code runc exec --tty} does with its stdio.
   */
  public void makeRaw() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment termios = arena.allocate(TERMIOS_SIZE);
      check((int) TCGETATTR.invokeExact(state, master, termios), state, "tcgetattr");
      CFMAKERAW.invokeExact(termios);
      check((int) TCSETATTR.invokeExact(state, master, 0, termios), state, "tcsetattr");
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** What the program writes; ends (EIO) when every slave descriptor is closed. */
  public InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
          return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment state = Libc.errnoState(arena);
          MemorySegment buf = arena.allocate(Math.max(1, len));
          while (true) {
            long n = (long) READ.invokeExact(state, master, buf, (long) len);
            if (n > 0) {
              MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
              return (int) n;
            }
            if (n == 0) {
              return -1;
            }
            int errno = Libc.errno(state);
            if (errno == EINTR) {
              continue;
            }
            if (errno == EIO) {
              return -1;
            }
            throw new IOException("read from pty: " + LinuxFs.strerror(errno));
          }
        } catch (IOException | RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
    };
  }

  /** What the program reads as its terminal input. */
  public OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment state = Libc.errnoState(arena);
          MemorySegment buf = arena.allocate(Math.max(1, len));
          MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
          long done = 0;
          while (done < len) {
            long n = (long) WRITE.invokeExact(state, master, buf.asSlice(done), (long) len - done);
            if (n < 0) {
              int errno = Libc.errno(state);
              if (errno == EINTR) {
                continue;
              }
              throw new IOException("write to pty: " + LinuxFs.strerror(errno));
            }
            done += n;
          }
        } catch (IOException | RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int ignored = (int) CLOSE.invokeExact(state, master);
    } catch (Throwable t) {
      // closing anyway
    }
  }

  private static void check(int rc, MemorySegment state, String call) throws IOException {
    if (rc < 0) {
      throw new LinuxFs.ErrnoException(call + ": " + LinuxFs.strerror(Libc.errno(state)),
          Libc.errno(state));
    }
  }
}
