package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** kill(2) through FFM: {@link Process} can only send SIGTERM and SIGKILL. */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class ProcessSignal {
  public static final int SIGWINCH = 28;

  private static final MethodHandle KILL = Libc.withErrno("kill", FunctionDescriptor.of(INT, INT, INT));

  private ProcessSignal() {}

  private static final int ESRCH = 3;

  /** Sends {@code signal} to {@code pid}; a process that is already gone is not an error. */
  public static void send(long pid, int signal) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      if ((int) KILL.invokeExact(state, (int) pid, signal) < 0) {
        int errno = Libc.errno(state);
        if (errno == ESRCH) {
          return;
        }
        throw new LinuxFs.ErrnoException("kill " + pid + ": " + LinuxFs.strerror(errno), errno);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
