package dev.berth.engine.bench;

import dev.berth.engine.BerthException;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.archive.ImageArchive;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.vm.VmService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code berth bench}: measures each kind of isolation this machine offers (plain containers,
 * microVM containers, a full VM from a given disk image, and the peer engines when reachable) on
 * the same image and stores the report. One bench at a time: two would measure each other.
 */
public final class BenchService {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ContainerService containers;
  private final NetworkService networks;
  private final ImageService images;
  private final VmService vms;
  private final BenchStore store;
  private final Path scratch;
  private final AtomicBoolean running = new AtomicBoolean();

  public BenchService(ContainerService containers, NetworkService networks, ImageService images, VmService vms,
      Path dataRoot, Path scratch) {
    this.containers = containers;
    this.networks = networks;
    this.images = images;
    this.vms = vms;
    this.store = new BenchStore(dataRoot.resolve("bench"));
    this.scratch = scratch;
  }

  public BenchStore store() {
    return store;
  }

  /** Runs a bench, reporting each step to {@code progress}, and stores its report. */
  public BenchReport run(BenchOptions options, Consumer<BenchProgress> progress) {
    checkImage(options);
    if (!running.compareAndSet(false, true)) {
      throw busy();
    }
    Path work = scratch.resolve("bench-" + newId());
    try {
      return measure(options, progress, work);
    } finally {
      running.set(false);
      deleteTree(work);
    }
  }

  /** What a run would refuse, checked before an API route starts streaming: a missing image, a bench already running. */
  public void check(BenchOptions options) {
    checkImage(options);
    if (running.get()) {
      throw busy();
    }
  }

  private static BerthException busy() {
    return new BerthException.Conflict("a bench is already running on this daemon; wait for it to end"
        + " (two at once would measure each other)");
  }

  private void checkImage(BenchOptions options) {
    if (images.lookup(options.image()).isEmpty()) {
      throw new BerthException.NotFound("No such image: " + options.image() + ". The bench runs busybox by default:"
          + " ./quickstart.sh imports the host's busybox-static as busybox:latest (or `berth pull busybox`),"
          + " or name another image with a busybox in it with --image");
    }
  }

  private BenchReport measure(BenchOptions options, Consumer<BenchProgress> progress, Path work) {
    String id = newId();
    Instant started = Instant.now();
    String hostKernel = System.getProperty("os.version");
    BenchReport.Host host = new BenchReport.Host(hostKernel, Runtime.getRuntime().availableProcessors(),
        memTotal(), loadAverage(), BerthVersion.version());
    List<String> planned = options.kinds().stream().filter(k -> switch (k) {
      case "container" -> true;
      case "microvm" -> microVmUnavailable() == null;
      case "vm" -> !options.vmImage().isEmpty();
      case "docker" -> !options.dockerHost().isEmpty() && CliInstances.onPath("docker").isPresent();
      case "podman" -> CliInstances.onPath("podman").isPresent();
      default -> false;
    }).toList();
    int total = planned.size() * KindBench.STEPS;
    AtomicInteger step = new AtomicInteger();
    HostFloor floor = new HostFloor(work);
    List<KindResult> rows = new ArrayList<>();
    for (String kind : BenchOptions.ALL_KINDS) {
      if (!options.wants(kind)) {
        continue;
      }
      Consumer<String> say = msg -> progress.accept(new BenchProgress(Math.min(step.incrementAndGet(), total), total,
          kind, msg));
      rows.add(switch (kind) {
        case "container" -> engineRow(options, id, "process", "container (runc)", floor, hostKernel, say);
        case "microvm" -> microVmRow(options, id, floor, hostKernel, say);
        case "vm" -> options.vmImage().isEmpty() ? KindResult.skipped("vm", "full VM (QEMU)", "no --vm-image given")
            : vmRow(options, id, say);
        case "docker" -> options.dockerHost().isEmpty() ? KindResult.skipped("docker", "docker", "no --docker-host given")
            : peerRow("docker", "docker (dockerd at " + options.dockerHost() + ")",
                List.of("-H", options.dockerHost()), options, id, floor, hostKernel, say);
        case "podman" -> peerRow("podman", "podman", List.of(), options, id, floor, hostKernel, say);
        default -> throw new IllegalStateException(kind);
      });
      if (planned.contains(kind)) { // a step that failed early still counts its whole row as done
        step.set((planned.indexOf(kind) + 1) * KindBench.STEPS);
      }
    }
    BenchReport report = new BenchReport(id, started.truncatedTo(ChronoUnit.MILLIS).toString(),
        Duration.between(started, Instant.now()).toMillis() / 1000.0, options, host, rows);
    store.save(report);
    return report;
  }

  private KindResult engineRow(BenchOptions options, String id, String isolation, String label, HostFloor floor,
      String hostKernel, Consumer<String> say) {
    String kind = isolation.equals("vm") ? "microvm" : "container";
    try (EngineInstances instances = new EngineInstances(containers, networks, options.image(), isolation, id)) {
      return new KindBench(instances, Budgets.of(options, kind), floor, hostKernel, say).run(label);
    }
  }

  /** A full VM from the user's disk image, on the accelerator microVMs use (the daemon's vm-accel). */
  private KindResult vmRow(BenchOptions options, String id, Consumer<String> say) {
    String label = "full VM (QEMU, " + Path.of(options.vmImage()).getFileName() + ")";
    String accel;
    try {
      accel = containers.microVms().accel();
    } catch (BerthException e) {
      return KindResult.skipped("vm", label, e.getMessage());
    }
    return new VmBench(vms, Path.of(options.vmImage()), accel, id, options.quick(), options.runs(), say).run(label);
  }

  private String microVmUnavailable() {
    try {
      containers.microVms().checkAvailable();
      return null;
    } catch (BerthException e) {
      return e.getMessage();
    }
  }

  /** A peer on the same image: loaded into its store (docker/podman load) when it lacks it. */
  private KindResult peerRow(String kind, String label, List<String> flags, BenchOptions options, String id,
      HostFloor floor, String hostKernel, Consumer<String> say) {
    Optional<Path> binary = CliInstances.onPath(kind);
    if (binary.isEmpty()) {
      return KindResult.skipped(kind, label, "the " + kind + " CLI is not on PATH");
    }
    List<String> cli = new ArrayList<>(List.of(binary.get().toString()));
    cli.addAll(flags);
    try (CliInstances peer = new CliInstances(kind, cli, options.image(), id)) {
      String why = peer.unavailable(Duration.ofSeconds(30));
      if (why != null) {
        return KindResult.skipped(kind, label, why);
      }
      String shown = label;
      if (!peer.hasImage(Duration.ofSeconds(30))) {
        say.accept("loading " + options.image() + " into " + kind);
        try {
          peer.load(out -> new ImageArchive(images).save(List.of(options.image()), out), Duration.ofMinutes(5));
        } catch (Exception e) {
          return KindResult.skipped(kind, label, "cannot load " + options.image() + " into " + kind + ": " + e.getMessage());
        }
        shown = label + ", " + options.image() + " loaded into it by the bench";
      }
      return new KindBench(peer, Budgets.of(options, kind), floor, hostKernel, say).run(shown);
    }
  }

  private KindResult microVmRow(BenchOptions options, String id, HostFloor floor, String hostKernel,
      Consumer<String> say) {
    String label = "microVM container (--isolation=vm)";
    String why = microVmUnavailable();
    if (why != null) {
      return KindResult.skipped("microvm", label, why);
    }
    return engineRow(options, id, "vm", label, floor, hostKernel, say);
  }

  /**
   * The workload on the host: the same busybox binary as the image's (copied out of a running
   * plain container's rootfs; the host's /bin/busybox when no plain container ran), in a scratch
   * dir on the data-root's disk, where containers' writable layers are too.
   */
  private final class HostFloor implements KindBench.HostFloor {
    private final Path work;
    private Path busyboxDir;
    private String binary = "busybox";

    HostFloor(Path work) {
      this.work = work;
    }

    @Override
    public synchronized String binary() {
      return binary;
    }

    @Override
    public synchronized Map<String, Double> seconds(int mib, int syscalls, Instances source,
        Instances.Instance running) throws Exception {
      if (busyboxDir == null) {
        Path bin = work.resolve("bin");
        Files.createDirectories(bin);
        Path fromImage = source.kind().equals("container")
            ? containers.dir(running.id()).resolve("rootfs/bin/busybox") : Path.of("/nonexistent");
        // not followed: an absolute link in the image would name a host file
        boolean own = Files.isRegularFile(fromImage, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Path from = own ? fromImage : Path.of("/bin/busybox");
        binary = own ? "the image's /bin/busybox, copied out" : "the host's /bin/busybox (the image's was not read)";
        Files.copy(from, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        busyboxDir = bin;
      }
      Path dir = work.resolve("floor");
      Files.createDirectories(dir);
      ProcessBuilder pb = new ProcessBuilder(busyboxDir.resolve("busybox").toString(), "sh", "-c",
          Scripts.workload(dir.toString(), mib, syscalls)).redirectErrorStream(true);
      pb.environment().put("PATH", busyboxDir.toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("the workload on the host failed: " + out.strip());
      }
      return Scripts.durations(out);
    }
  }

  static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static long memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // scratch is cleared at the next engine open
    }
  }
}
