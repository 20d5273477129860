package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.FilePageOut;
import dev.berth.engine.sys.PageCache;
import dev.berth.engine.vm.Qemu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers in microVMs ({@code --isolation=vm}): QEMU's microvm machine booting the
 * cached guest kernel and initramfs, the container's rootfs shared over virtio-9p, output and
 * exit code back over virtio-serial. The container package calls it with plain values.
 */
public final class MicroVmRuntime {
  private static final Logger log = LoggerFactory.getLogger(MicroVmRuntime.class);
  private static final long MIN_MEMORY_MIB = 128;
  /**
   * Without --memory: the guest's RAM is touched only as it is used, and each virtio-serial port
   * takes ~4 MiB of it (virtio-mmio gives every queue 1024 entries), so interactive execs need room.
   */
  private static final long DEFAULT_MEMORY_MIB = 256;

  /**
   * berthd's microVM settings.
   *
   * @param kernel the guest kernel (bzImage or vmlinux); empty = the host's newest /boot/vmlinuz-*
   * @param accel auto, kvm or tcg
   */
  public record Settings(Optional<Path> kernel, String accel) {
    public static final Settings DEFAULTS = new Settings(Optional.empty(), "auto");

    public Settings {
      kernel = kernel == null ? Optional.empty() : kernel;
      accel = accel == null || accel.isBlank() ? "auto" : accel;
      if (!List.of("auto", "kvm", "tcg").contains(accel)) {
        throw new IllegalArgumentException("invalid vm-accel \"" + accel + "\": use auto, kvm or tcg");
      }
    }
  }

  /**
   * A container's network namespace (made and wired by CNI, as for any container) and the
   * guest's interfaces in it; absent for --network none (the guest has loopback only).
   */
  public record Network(Path netns, List<GuestInterface> interfaces) {
    public Network {
      interfaces = List.copyOf(interfaces);
    }
  }

  /**
   * The main process's stdio: a terminal ({@code -t}), stdin from attached clients ({@code -i}),
   * and whether stdin closes when the first attached client closes it ({@code StdinOnce}).
   */
  public record Stdio(boolean tty, boolean openStdin, boolean stdinOnce) {
    public static final Stdio NONE = new Stdio(false, false, false);

    /** share/stdio: "tty", "stdin" or "none", then "once" when stdin closes with the first client's. */
    String fileText() {
      return (tty ? "tty" : openStdin ? "stdin" : "none") + (stdinOnce ? " once" : "") + "\n";
    }

    static Stdio parse(String text) {
      String[] w = text.strip().split("\\s+");
      boolean once = w.length > 1 && w[1].equals("once");
      return switch (w[0]) {
        case "tty" -> new Stdio(true, true, once);
        case "stdin" -> new Stdio(false, true, once);
        default -> NONE;
      };
    }
  }

  /** The /etc files the container gets (bind-mounted by the guest init). */
  public record EtcFiles(Path hosts, Path hostname, Path resolvConf) {}

  private final Path execRoot;
  private final Settings settings;
  private final BootAssetCache assets;
  private final Supplier<Qemu> locator;
  private final Object kernelCopyLock = new Object();
  private volatile Qemu qemu;
  /** A look-up of the boot assets started ahead of a launch, and when (System.nanoTime). */
  private record AssetsAhead(long startedAt, CompletableFuture<BootAssets> assets) {}

  private final AtomicReference<AssetsAhead> assetsAhead = new AtomicReference<>();
  /** The host's TSC rate, read once (a read of /proc/cpuinfo costs up to a millisecond). */
  private volatile long hostKhz = -1;

  public MicroVmRuntime(Path dataRoot, Path execRoot, Settings settings) {
    this(dataRoot, execRoot, settings, Qemu::locate);
  }

  /** With {@code locator} finding QEMU (tests: a host without it). */
  MicroVmRuntime(Path dataRoot, Path execRoot, Settings settings, Supplier<Qemu> locator) {
    this.execRoot = execRoot;
    this.settings = settings;
    this.locator = locator;
    this.assets = new BootAssetCache(dataRoot.resolve("microvm").resolve("assets"), settings.kernel());
  }

  /** QEMU, found once; Unavailable naming the Debian package when it is not installed. */
  public Qemu qemu() {
    Qemu q = qemu;
    if (q == null) {
      try {
        q = locator.get();
      } catch (BerthException.Unavailable e) {
        throw new BerthException.Unavailable("--isolation=vm needs QEMU: " + e.getMessage());
      }
      qemu = q;
    }
    return q;
  }

  /** For info: "6.1.0-56-amd64 (/boot/vmlinuz-6.1.0-56-amd64)". */
  public String guestKernel() {
    return assets.describe();
  }

  /** For info: the guest kernel and the accelerator --isolation=vm containers boot with. */
  public String describe() {
    String accel;
    try {
      accel = accel();
    } catch (BerthException e) {
      accel = "unavailable: " + e.getMessage();
    }
    return "guest kernel " + guestKernel() + ", " + accel;
  }

  /** What create checks, so a container that cannot boot is not made: QEMU and a guest kernel. */
  public void checkAvailable() {
    qemu();
    assets.kernelSource();
  }

  /** The accelerator a boot uses now. */
  public String accel() {
    return Qemu.accelerator(settings.accel());
  }

  /**
   * Starts looking up the boot assets now, on a virtual thread, for the launch that follows: the
   * look-up hashes the assets' inputs (the init and the boot helper among them: 5-20 ms here) and
   * can run beside the start's network and rootfs work instead of after it.
   */
  public void lookUpAssetsAhead() {
    CompletableFuture<BootAssets> f = new CompletableFuture<>();
    assetsAhead.set(new AssetsAhead(System.nanoTime(), f));
    Thread.ofVirtual().name("microvm-assets").start(() -> {
      try {
        f.complete(assets.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
  }

  /**
   * The assets a look-up started ahead found, when it started less than {@link #AHEAD_FRESH} ago
   * and succeeded; else a look-up now (which also reports any failure).
   */
  private BootAssets bootAssets() {
    AssetsAhead ahead = assetsAhead.getAndSet(null);
    if (ahead != null && System.nanoTime() - ahead.startedAt() < AHEAD_FRESH.toNanos()) {
      try {
        return ahead.assets().join();
      } catch (java.util.concurrent.CompletionException e) {
        // looked up again below, which throws the failure itself
      }
    }
    return assets.get();
  }

  /** How old a look-up started ahead may be: it saw the kernel and modules as they were then. */
  static final java.time.Duration AHEAD_FRESH = java.time.Duration.ofSeconds(10);

  private long hostKhz() {
    long khz = hostKhz;
    if (khz < 0) {
      khz = Qemu.hostKhz();
      hostKhz = khz;
    }
    return khz;
  }

  /** The container's paths under its dir and the exec-root. */
  public MicroVmPaths paths(String id, Path containerDir) {
    return new MicroVmPaths(containerDir.resolve("vm"), execRoot.resolve("microvm").resolve(id.substring(0, 12)));
  }

  /**
   * Boots the container's microVM. QEMU is running (detached) when this returns; call
   * {@link MicroVm#follow} after connecting attaches, so they see all output. A failure leaves no
   * QEMU and no runtime dir behind. {@code kernelBtf}: boot the kernel with its BTF (a container
   * that may load eBPF programs; decision 3700).
   */
  public MicroVm launch(String id, Path containerDir, Path rootfs, GuestCommand command, EtcFiles etc,
      long memoryBytes, long nanoCpus, Path logFile, Optional<Network> network, List<GuestMount> mounts, Stdio stdio,
      boolean kernelBtf) {
    Qemu q = qemu();
    BootAssets boot = kernelBtf ? bootAssets().withBtf() : bootAssets();
    MicroVmPaths paths = paths(id, containerDir);
    String accel = accel();
    long memoryMib = memoryBytes <= 0 ? DEFAULT_MEMORY_MIB : Math.max(MIN_MEMORY_MIB, memoryBytes >> 20);
    int cpus = nanoCpus <= 0 ? 1 : (int) Math.ceil(nanoCpus / 1e9);
    try {
      List<GuestInterface> interfaces = network.map(Network::interfaces).orElse(List.of());
      prepare(paths, command, etc, interfaces, mounts);
      Files.writeString(paths.share().resolve("stdio"), stdio.fileText());
      prepareOutput(paths, !stdio.tty() && !stdio.openStdin());
      List<String> cmd = new ArrayList<>();
      if (network.isPresent()) {
        long t0 = System.nanoTime();
        GuestNetwork.wire(network.get().netns(), interfaces);
        log.debug("container {}: taps wired in {} ms", id.substring(0, 12), (System.nanoTime() - t0) / 1_000_000);
        cmd.addAll(GuestNetwork.inNamespace(network.get().netns())); // QEMU opens the taps by name, there
      }
      cmd.addAll(MicroVmCommand.build(q.systemBinary().toString(),
          new MicroVmSpec(id, rootfs, paths, boot, accel, hostKhz(), cpus, memoryMib, interfaces, mounts, stdio.tty(),
          stdio.openStdin() && !stdio.tty())));
      log.debug("container {}: {}", id.substring(0, 12), String.join(" ", cmd));
      long pid;
      // One QEMU at a time from its start to the page-out of its kernel copy: two QEMUs started
      // together map the same page-cache pages, and MADV_PAGEOUT leaves a page that another process
      // maps where it is (both would keep the 33 MiB; decision 2600). QEMU's start, up to its
      // -daemonize, takes ~0.1-0.4 s; the boot itself runs after it, in parallel.
      long spawning;
      long daemonized;
      synchronized (kernelCopyLock) {
        spawning = System.nanoTime();
        q.launch(cmd);
        daemonized = System.nanoTime();
        pid = Long.parseLong(Files.readString(paths.pidFile()).strip());
        releaseKernelCopy(id, pid, boot.kernel());
      }
      log.debug("container {}: QEMU's start to -daemonize {} ms, its kernel copy paged out {} ms later",
          id.substring(0, 12), (daemonized - spawning) / 1_000_000, (System.nanoTime() - daemonized) / 1_000_000);
      log.info("container {}: microVM started (QEMU pid {}, {}, kernel {})", id.substring(0, 12), pid, accel,
          boot.kernelVersion());
      releaseInitramfsCopyOnceRead(id, pid, boot.initramfs());
      MicroVm vm = new MicroVm(id, paths, pid, logFile);
      vm.connectStdio();
      vm.watchConsole();
      return vm;
    } catch (IOException | RuntimeException e) {
      killLeftover(id, paths);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the microVM of container " + id.substring(0, 12) + ": "
            + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * QEMU keeps the kernel file mapped to reload it at a reset, and the pages it copied into the
   * guest at start stay in its resident set (33 MiB). They are clean file pages: paged out, they
   * leave QEMU's memory and the page cache; a guest reset reads them again (decisions 2250, 2600).
   */
  private void releaseKernelCopy(String id, long pid, Path kernel) {
    try {
      long bytes = FilePageOut.pageOut(pid, kernel);
      log.debug("container {}: {} KiB of QEMU's kernel copy paged out", id.substring(0, 12), bytes >> 10);
      Thread.ofVirtual().name("microvm-kernel-cache").start(() -> keepCached(id, kernel));
    } catch (IOException | RuntimeException e) {
      log.debug("container {}: QEMU's kernel copy stays resident: {}", id.substring(0, 12), e.getMessage());
    }
  }

  /**
   * The page-out also drops the file's pages from the page cache (no other process maps them), so
   * the next microVM's QEMU would read the kernel (and the guest the initramfs) from the disk
   * again: 30-100 ms more of every start here. Read back into the cache, they are the kernel's
   * to reclaim under memory pressure and no QEMU's resident memory.
   */
  private static void keepCached(String id, Path file) {
    try {
      PageCache.willNeed(file);
    } catch (IOException | RuntimeException e) {
      log.debug("container {}: {} not read back into the page cache: {}", id.substring(0, 12), file.getFileName(),
          e.getMessage());
    }
  }

  /**
   * The initramfs file QEMU maps too, and the guest's firmware reads it during the boot: once all
   * of it is resident (read), it is paged out like the kernel (3 MiB). Polled, at most for a
   * minute; a guest still booting then keeps it.
   */
  private void releaseInitramfsCopyOnceRead(String id, long pid, Path initramfs) {
    Thread.ofVirtual().name("microvm-initramfs-" + id.substring(0, 12)).start(() -> {
      try {
        long size = Files.size(initramfs) & ~4095L;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && MicroVm.alive(pid, id)) {
          if (FilePageOut.residentBytes(pid, initramfs) >= size) {
            FilePageOut.pageOut(pid, initramfs);
            keepCached(id, initramfs);
            return;
          }
          Thread.sleep(200);
        }
      } catch (IOException | RuntimeException e) {
        log.debug("container {}: QEMU's initramfs copy stays resident: {}", id.substring(0, 12), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The share the guest reads (run.sh and the /etc files), and fresh output files. */
  private static void prepare(MicroVmPaths paths, GuestCommand command, EtcFiles etc, List<GuestInterface> interfaces,
      List<GuestMount> mounts) throws IOException {
    Files.createDirectories(paths.share());
    Files.createDirectories(paths.runDir());
    // the serial log too: the last run's exit report is in it (GuestExitLine)
    for (Path old : List.of(paths.stdout(), paths.stderr(), paths.exit(), paths.serialLog(), paths.offsets(),
        paths.pidFile())) {
      Files.deleteIfExists(old);
    }
    Files.writeString(paths.share().resolve("run.sh"), command.script());
    Files.write(paths.share().resolve("command"), command.commandFile()); // run by berth-boot without -t/-i (3750)
    Files.copy(etc.hosts(), paths.share().resolve("hosts"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(etc.hostname(), paths.share().resolve("hostname"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(etc.resolvConf(), paths.share().resolve("resolv.conf"), StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(paths.share().resolve("mounts"), GuestMount.guestConfig(mounts));
    Files.deleteIfExists(paths.share().resolve("tty-size")); // the last run's terminal size
    Path net = paths.share().resolve("net");
    if (interfaces.isEmpty()) {
      Files.deleteIfExists(net);
    } else {
      Files.writeString(net, GuestNetwork.guestConfig(interfaces));
    }
  }

  /**
   * The output share, made fresh when the guest writes its output there (no terminal, no stdin),
   * else removed (the pump then reads the ports' files). The last run's guest may have left links
   * or special files in it: they are deleted, never followed (decision 3400).
   */
  static void prepareOutput(MicroVmPaths paths, boolean share) throws IOException {
    Path out = paths.outputDir();
    if (Files.isDirectory(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var walk = Files.walk(out)) { // links inside are not followed: each is deleted itself
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } else {
      Files.deleteIfExists(out);
    }
    if (share) {
      Files.createDirectories(paths.dataDir());
      Files.createDirectory(paths.outputDir());
      Files.createFile(paths.outputStdout()); // O_EXCL: never through a link
      Files.createFile(paths.outputStderr());
    }
  }

  private static void killLeftover(String id, MicroVmPaths paths) {
    try {
      long pid = Long.parseLong(Files.readString(paths.pidFile()).strip());
      if (MicroVm.alive(pid, id)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | NumberFormatException e) {
      // QEMU never wrote its pidfile: it did not start
    }
    BootAssetCache.deleteTree(paths.runDir());
  }

  /**
   * Kills what is left of a container's microVM (QEMU, its runtime dir) at the container's removal;
   * nothing to do (and nothing read) when the runtime dir is gone, as after a recorded exit.
   */
  public void destroyLeftover(String id, Path containerDir, Path logFile) {
    if (Files.exists(paths(id, containerDir).runDir())) {
      reattach(id, containerDir, logFile).destroy();
    }
  }

  /**
   * The microVM of a container recorded as running (after a berthd restart). When QEMU is gone,
   * the returned handle's {@link MicroVm#follow} drains the rest of the output and reports the
   * exit at once.
   */
  public MicroVm reattach(String id, Path containerDir, Path logFile) {
    MicroVmPaths paths = paths(id, containerDir);
    long pid;
    try {
      pid = Long.parseLong(Files.readString(paths.pidFile()).strip());
    } catch (IOException | NumberFormatException e) {
      pid = 0;
    }
    MicroVm vm = new MicroVm(id, paths, pid, logFile);
    if (vm.alive()) {
      vm.connectStdio();
      vm.watchConsole();
    }
    return vm;
  }
}
