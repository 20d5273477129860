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

/** kill(2) through FFM: {@link Process} can only send SIGTERM and SIGKILL. */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class ProcessSignal {
  public static final int SIGWINCH = 28;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle KILL = LINKER.downcallHandle(LINKER.defaultLookup().find("kill").orElseThrow(),
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
      Linker.Option.captureCallState("errno"));

  private ProcessSignal() {}

  private static final int ESRCH = 3;

  /** Sends {@code signal} to {@code pid}; a process that is already gone is not an error. */
  public static void send(long pid, int signal) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) KILL.invokeExact(state, (int) pid, signal) < 0) {
        int errno = (int) ERRNO.get(state, 0L);
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
