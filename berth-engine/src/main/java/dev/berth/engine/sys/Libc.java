package dev.berth.engine.sys;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * Binds libc functions for this package's FFM calls: the lookup, errno capture and the layouts
 * every caller shares. A handle made by {@link #withErrno} takes the segment from
 * {@link #errnoState} as its first argument and leaves the call's errno there for {@link #errno}.
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it (see design.md)
final class Libc {
  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  static final AddressLayout PTR = ValueLayout.ADDRESS;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private Libc() {}

  /** A libc function that reports failure through errno (the state segment comes first). */
  static MethodHandle withErrno(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO);
  }

  /** A variadic libc function (ioctl, fcntl) whose fixed arguments end before {@code firstVariadic}. */
  static MethodHandle variadicWithErrno(String name, FunctionDescriptor descriptor, int firstVariadic) {
    return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
  }

  /** A libc function called without looking at errno. */
  static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
    return LINKER.downcallHandle(find(name), descriptor, options);
  }

  /** A libc function that older C libraries lack; empty there. */
  static Optional<MethodHandle> optionalFunction(String name, FunctionDescriptor descriptor) {
    return LINKER.defaultLookup().find(name).map(f -> LINKER.downcallHandle(f, descriptor));
  }

  /** Where a {@link #withErrno} call leaves its errno. */
  static MemorySegment errnoState(Arena arena) {
    return arena.allocate(CALL_STATE);
  }

  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static MemorySegment find(String name) {
    return LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc lacks " + name));
  }
}
