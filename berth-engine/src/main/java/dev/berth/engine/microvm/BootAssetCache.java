package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the boot assets once and keeps them under {@code <data-root>/microvm/assets/<key>/};
 * the key hashes every input (kernel, modules list, busybox, init script), so a kernel upgrade
 * or a new Berth init makes a new set. A build goes to a temp dir renamed into place; callers in
 * one berthd share one build (the method is synchronized).
 */
public final class BootAssetCache {
  private static final Logger log = LoggerFactory.getLogger(BootAssetCache.class);
  /** Bumped when the layout of the assets changes without any input changing. */
  private static final String FORMAT = "10"; // 2: vmlinux with its zero tail trimmed (KernelZeroTail); 3: berth-boot; 4: memsz to .brk's end; 5: berth-boot is /init; 6: virtio_console in order-console (loaded on demand); 7: berth-boot runs the command without -t/-i (init.sh agent-only mode); 8: .BTF not loaded (KernelBtfHole); 9: and vmlinux-btf; 10: both of the above
  static final Path BUSYBOX = Path.of("/bin/busybox");
  /** The kernel as the distribution built it, BTF loaded: for containers that may use eBPF (decision 3700). */
  static final String WITH_BTF = "vmlinux-btf";

  private final Path root;
  private final Optional<Path> configuredKernel;
  private final Path modulesRoot;
  private final Path busybox;
  private BootAssets built;

  public BootAssetCache(Path root, Optional<Path> configuredKernel) {
    this(root, configuredKernel, Path.of("/lib/modules"), BUSYBOX);
  }

  BootAssetCache(Path root, Optional<Path> configuredKernel, Path modulesRoot, Path busybox) {
    this.root = root;
    this.configuredKernel = configuredKernel;
    this.modulesRoot = modulesRoot;
    this.busybox = busybox;
  }

  /** The guest kernel to use: the configured one, or the newest /boot/vmlinuz-* with modules. */
  public Path kernelSource() {
    if (configuredKernel.isPresent()) {
      Path k = configuredKernel.get();
      if (!Files.isReadable(k)) {
        throw new BerthException.Unavailable("the guest kernel " + k + " (vm-kernel) cannot be read");
      }
      return k;
    }
    try (var files = Files.list(Path.of("/boot"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
          .filter(p -> Files.isDirectory(modulesRoot.resolve(version(p))))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow(BootAssetCache::noKernel);
    } catch (IOException e) {
      throw noKernel();
    }
  }

  private static BerthException.Unavailable noKernel() {
    return new BerthException.Unavailable("no guest kernel for --isolation=vm: install one (Debian: apt-get install"
        + " linux-image-amd64) or name one with berthd's --vm-kernel");
  }

  /** The kernel version from its file name: vmlinuz-6.1.0-56-amd64 → 6.1.0-56-amd64. */
  static String version(Path kernel) {
    String name = kernel.getFileName().toString();
    for (String prefix : List.of("vmlinuz-", "vmlinux-", "bzImage-")) {
      if (name.startsWith(prefix)) {
        return name.substring(prefix.length());
      }
    }
    throw new BerthException.Unavailable("cannot tell the version of the guest kernel " + kernel
        + ": name it vmlinuz-<version>, with its modules in /lib/modules/<version>");
  }

  /** A description for info without building anything: "6.1.0-56-amd64 (/boot/vmlinuz-6.1.0-56-amd64)". */
  public String describe() {
    try {
      Path k = kernelSource();
      return version(k) + " (" + k + ")";
    } catch (BerthException e) {
      return "none (" + e.getMessage() + ")";
    }
  }

  /** The assets, built on first use (and again when an input changed). */
  public synchronized BootAssets get() {
    Path kernel = kernelSource();
    String version = version(kernel);
    Path modules = modulesRoot.resolve(version);
    try {
      String key = key(kernel, modules, GuestModules.WANTED);
      Path dir = root.resolve(key);
      if (built != null && built.kernel().startsWith(dir) && Files.isDirectory(dir)) {
        return built;
      }
      if (!Files.isDirectory(dir)) {
        build(kernel, modules, dir);
        removeOthers(dir);
      }
      built = new BootAssets(dir.resolve("vmlinux"), dir.resolve("initramfs.cpio"), version, kernel,
          dir.resolve(WITH_BTF));
      return built;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the microVM boot assets under " + root + ": " + e.getMessage(), e);
    }
  }

  /** The assets' directory name: a hash of every input, {@code wanted} (the module set) included. */
  String key(Path kernel, Path modules, List<String> wanted) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      // The module set is an input too: a Berth that loads one more module must not boot the old initramfs.
      StringBuilder s = new StringBuilder(FORMAT).append('\n').append(String.join(" ", wanted)).append('\n');
      for (Path p : List.of(kernel, modules.resolve("modules.dep"), busybox)) {
        s.append(p).append(' ');
        if (Files.exists(p)) {
          s.append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p).toMillis());
        }
        s.append('\n');
      }
      sha.update(s.toString().getBytes(StandardCharsets.UTF_8));
      sha.update(initScript());
      sha.update(bootHelper());
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void build(Path kernel, Path modules, Path dir) throws IOException {
    long t0 = System.nanoTime();
    checkStatic(busybox);
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, "build-");
    try {
      try (OutputStream out = Files.newOutputStream(tmp.resolve("vmlinux"))) {
        KernelImage.uncompress(Files.readAllBytes(kernel), out);
      }
      long trimmed = KernelZeroTail.trim(tmp.resolve("vmlinux"));
      log.debug("vmlinux: {} MiB of zeros no longer loaded from the file", trimmed >> 20);
      Files.copy(tmp.resolve("vmlinux"), tmp.resolve(WITH_BTF));
      long btf = cutBtf(tmp.resolve("vmlinux"));
      if (btf == 0) { // nothing cut (or the cut failed half-way): the copy as it was serves both
        Files.delete(tmp.resolve("vmlinux"));
        Files.createLink(tmp.resolve("vmlinux"), tmp.resolve(WITH_BTF));
      }
      log.debug("vmlinux: {} KiB of .BTF no longer loaded into the guest's RAM", btf >> 10);
      try (OutputStream out = Files.newOutputStream(tmp.resolve("initramfs.cpio"))) {
        initramfs(modules).writeTo(out);
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        throw new IOException("cannot move " + tmp + " to " + dir + ": " + e.getMessage(), e);
      }
      log.info("microVM boot assets for kernel {} built in {} ms ({})", kernel, (System.nanoTime() - t0) / 1_000_000,
          dir);
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * The initramfs: busybox, berth-boot as /init (the first process: it execs /init.sh, the shell
   * init, when the boot is done) and the modules (uncompressed), in load order: those
   * every guest loads listed in /lib/modules/order, virtio-serial's in /lib/modules/order-console
   * (at boot with a terminal or stdin, else on berthd's first agent request), those only a guest
   * with a network loads in /lib/modules/order-net.
   */
  Initramfs initramfs(Path modules) throws IOException {
    var deps = GuestModules.parseDeps(readOrEmpty(modules.resolve("modules.dep")));
    var builtin = GuestModules.parseBuiltin(readOrEmpty(modules.resolve("modules.builtin")));
    List<String> core = GuestModules.loadOrder(deps, GuestModules.CORE, builtin);
    List<String> console = GuestModules.loadOrder(deps,
        java.util.stream.Stream.concat(GuestModules.CORE.stream(), GuestModules.CONSOLE.stream()).toList(), builtin)
        .stream().filter(p -> !core.contains(p)).toList();
    List<String> net = GuestModules.loadOrder(deps, GuestModules.WANTED, builtin).stream()
        .filter(p -> !core.contains(p) && !console.contains(p)).toList();
    Initramfs ird = new Initramfs();
    for (String d : List.of("bin", "dev", "proc", "sys", "berth", "newroot", "lib", "lib/modules", "tmp")) {
      ird.dir(d);
    }
    ird.charDevice("dev/console", 5, 1);
    ird.file("bin/busybox", 0755, Files.readAllBytes(busybox));
    for (var group : List.of(java.util.Map.entry("order", core), java.util.Map.entry("order-console", console),
        java.util.Map.entry("order-net", net))) {
      StringBuilder list = new StringBuilder();
      for (String path : group.getValue()) {
        String file = GuestModules.name(path) + ".ko";
        ird.file("lib/modules/" + file, 0644, GuestModules.plain(path, Files.readAllBytes(modules.resolve(path))));
        list.append(file).append('\n');
      }
      ird.file("lib/modules/" + group.getKey(), 0644, list.toString());
    }
    ird.file("init", 0755, bootHelper());
    ird.file("init.sh", 0755, initScript());
    return ird;
  }

  /**
   * Leaves .BTF out of what QEMU loads (KernelBtfHole). Only an optimisation: a kernel file it
   * cannot make sense of boots as it is.
   */
  private static long cutBtf(Path vmlinux) {
    try {
      return KernelBtfHole.cut(vmlinux);
    } catch (IOException | RuntimeException e) {
      log.warn("the guest kernel's BTF stays loaded ({}): {}", vmlinux, e.getMessage());
      return 0;
    }
  }

  /** The guest's boot helper (src/main/c/guest-boot.c, compiled static by the build). */
  static byte[] bootHelper() {
    try (InputStream in = BootAssetCache.class.getResourceAsStream("berth-boot")) {
      if (in == null) {
        throw new BerthException.Unavailable("this build of Berth has no berth-boot program for the microVM's"
            + " initramfs: build it with gcc and a static libc (Debian: gcc, libc6-dev)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] initScript() {
    try (InputStream in = BootAssetCache.class.getResourceAsStream("init.sh")) {
      if (in == null) {
        throw new IllegalStateException("init.sh is missing from the engine's resources");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readOrEmpty(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /** The guest runs busybox with no libraries around it: it must be the static build. */
  static void checkStatic(Path busybox) throws IOException {
    if (!Files.isRegularFile(busybox)) {
      throw new BerthException.Unavailable("no " + busybox + " for the microVM's initramfs; install it (Debian:"
          + " apt-get install busybox-static)");
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(busybox)) {
      head = in.readNBytes(64 * 1024);
    }
    if (hasInterpreter(head)) {
      throw new BerthException.Unavailable(busybox + " is dynamically linked; the microVM's initramfs needs the"
          + " static one (Debian: apt-get install busybox-static)");
    }
  }

  /** Whether an ELF64's program headers (in {@code head}) include PT_INTERP, i.e. it needs a dynamic loader. */
  static boolean hasInterpreter(byte[] head) {
    ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    if (head.length < 64 || !KernelImage.startsWith(head, 0, new byte[] {0x7f, 'E', 'L', 'F'})) {
      return false;
    }
    long phoff = b.getLong(0x20);
    int phentsize = Short.toUnsignedInt(b.getShort(0x36));
    int phnum = Short.toUnsignedInt(b.getShort(0x38));
    for (int i = 0; i < phnum; i++) {
      long at = phoff + (long) i * phentsize;
      if (at + 4 > head.length) {
        break;
      }
      if (b.getInt((int) at) == 3) {
        return true;
      }
    }
    return false;
  }

  private void removeOthers(Path keep) {
    try (var dirs = Files.list(root)) {
      for (Path d : dirs.filter(p -> !p.equals(keep) && Files.isDirectory(p)).toList()) {
        deleteTree(d); // a running QEMU keeps its open files; new boots use the new set
      }
    } catch (IOException e) {
      log.debug("cannot list {}: {}", root, e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
