package dev.berth.engine.sys;

import static dev.berth.engine.sys.Libc.INT;
import static dev.berth.engine.sys.Libc.LONG;
import static dev.berth.engine.sys.Libc.PTR;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** mount(2) and umount2(2) through FFM, with errors that name the call, the path and the reason. */
@SuppressWarnings("restricted") // native access is the point; the jars enable it
public final class Mounts {
  /** umount2 flag: detach now, clean up when no longer busy. */
  public static final int MNT_DETACH = 2;
  public static final int EINVAL = 22;

  // int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)
  private static final MethodHandle MOUNT = Libc.withErrno("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
  // int umount2(const char *target, int flags)
  private static final MethodHandle UMOUNT2 = Libc.withErrno("umount2", FunctionDescriptor.of(INT, PTR, INT));

  private Mounts() {}

  /**
   * Mounts an overlay at {@code target}. The kernel takes at most one page (4096 bytes) of
   * options, so an image with very many layers under long paths does not fit; Berth's layer
   * paths are ~90 bytes each, which allows about 40 layers.
   *
   * @param lowerDirs bottom first, as images list their layers (overlay wants top first)
   */
  public static void mountOverlay(List<Path> lowerDirs, Path upper, Path work, Path target) throws IOException {
    StringBuilder lower = new StringBuilder();
    for (int i = lowerDirs.size() - 1; i >= 0; i--) {
      lower.append(lower.isEmpty() ? "" : ":").append(lowerDirs.get(i));
    }
    String options = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
    if (options.getBytes(StandardCharsets.UTF_8).length >= 4096) {
      throw new IOException("overlay options for " + target + " exceed one page (" + lowerDirs.size()
          + " layers); an image with this many layers is not supported yet");
    }
    mount("overlay", target, "overlay", 0, options);
  }

  public static void mount(String source, Path target, String type, long flags, String data) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      MemorySegment options = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
      int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target.toString()),
          arena.allocateFrom(type), flags, options);
      if (rc < 0) {
        int errno = Libc.errno(state);
        throw new LinuxFs.ErrnoException("mount " + type + " on " + target + ": " + LinuxFs.strerror(errno), errno);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Unmounts {@code target}; a path that is not a mount point (EINVAL) is not an error. */
  public static void unmount(Path target, int flags) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.errnoState(arena);
      int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), flags);
      if (rc < 0) {
        int errno = Libc.errno(state);
        if (errno == EINVAL || errno == 2) {
          return;
        }
        throw new LinuxFs.ErrnoException("umount " + target + ": " + LinuxFs.strerror(errno), errno);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** True when {@code target} is listed as a mount point in /proc/self/mountinfo. */
  public static boolean isMountPoint(Path target) {
    try {
      String want = target.toAbsolutePath().normalize().toString();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].equals(want)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
