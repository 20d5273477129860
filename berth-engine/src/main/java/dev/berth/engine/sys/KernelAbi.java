package dev.berth.engine.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

/**
 * Which system-call ABIs the running kernel accepts beyond its native one. Only x32 is asked
 * about: a seccomp filter that covers x32 costs runc ~15 ms per container start (libseccomp
 * compiles a third architecture), and many kernels cannot run x32 code at all (built without
 * {@code CONFIG_X86_X32_ABI}, or Debian's {@code CONFIG_X86_X32_DISABLED} without
 * {@code syscall.x32=y} on the command line). The answer comes from the kernel's build config,
 * {@code /proc/config.gz} or {@code /boot/config-<release>} (KEY=value lines and # comments, which
 * java.util.Properties reads); without either it is unknown.
 */
public final class KernelAbi {
  private KernelAbi() {}

  /** Whether x32 system calls can run here; empty when the kernel's config cannot be found. */
  public static Optional<Boolean> x32Usable() {
    String release = System.getProperty("os.version");
    Optional<Properties> config = readConfig(Path.of("/proc/config.gz"))
        .or(() -> readConfig(Path.of("/boot/config-" + release)));
    String cmdline;
    try {
      cmdline = Files.readString(Path.of("/proc/cmdline"));
    } catch (IOException e) {
      cmdline = "";
    }
    String kernelCommandLine = cmdline;
    return config.map(c -> x32Usable(c, kernelCommandLine));
  }

  /** x32 runs when it is built in and not disabled by default, or enabled on the command line. */
  static boolean x32Usable(Properties config, String cmdline) {
    boolean built = "y".equals(config.getProperty("CONFIG_X86_X32_ABI"))
        || "y".equals(config.getProperty("CONFIG_X86_X32"));
    if (!built) {
      return false;
    }
    boolean offByDefault = "y".equals(config.getProperty("CONFIG_X86_X32_DISABLED"));
    boolean switchedOn = (" " + cmdline.strip() + " ").contains(" syscall.x32=y ");
    return !offByDefault || switchedOn;
  }

  static Optional<Properties> readConfig(Path file) {
    if (!Files.isReadable(file)) {
      return Optional.empty();
    }
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      Properties p = new Properties();
      p.load(in);
      return Optional.of(p);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
