package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.LONG;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether KVM can be used, found without side effects: the path must be a character device
 * that opens read-write (without O_CREAT) and answers KVM_GET_API_VERSION with the stable API
 * version 12. Opening it with Java's file APIs in "rw" mode would create a regular file where
 * there is no device (an earlier probe did, then took the file for KVM).
 */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class KvmProbe {
  public static final Path DEV_KVM = Path.of("/dev/kvm");

  /** The answer, with a reason fit for {@code info}. */
  public record Result(boolean usable, String reason) {}

  private static final int O_RDWR = 02;
  private static final int O_CLOEXEC = 02000000;
  private static final long KVM_GET_API_VERSION = 0xAE00L;
  private static final int KVM_API_VERSION = 12;

  private static final MethodHandle OPEN = Libc.function("open", FunctionDescriptor.of(INT, PTR, INT));
  private static final MethodHandle IOCTL = Libc.function("ioctl", FunctionDescriptor.of(INT, INT, LONG), Linker.Option.firstVariadicArg(2));
  private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(INT, INT));

  private KvmProbe() {}

  public static Result probe() {
    return probe(DEV_KVM);
  }

  public static Result probe(Path device) {
    int mode;
    try {
      if (!Files.exists(device)) {
        return new Result(false, device + " does not exist (no KVM on this host: QEMU emulates with TCG)");
      }
      mode = (Integer) Files.getAttribute(device, "unix:mode");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return new Result(false, device + " cannot be examined: " + e.getMessage());
    }
    if ((mode & LinuxFs.S_IFMT) != LinuxFs.S_IFCHR) {
      return new Result(false, device + " is not a character device");
    }
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) OPEN.invokeExact(arena.allocateFrom(device.toString()), O_RDWR | O_CLOEXEC);
      if (fd < 0) {
        return new Result(false, device + " cannot be opened read-write (permissions, or the kvm module)");
      }
      try {
        int version = (int) IOCTL.invokeExact(fd, KVM_GET_API_VERSION);
        if (version != KVM_API_VERSION) {
          return new Result(false, device + " answered KVM_GET_API_VERSION with " + version + ", not "
              + KVM_API_VERSION);
        }
        return new Result(true, device + " answers KVM API version " + KVM_API_VERSION);
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (Throwable t) {
      return new Result(false, device + " probe failed: " + t);
    }
  }
}
