package dev.berth.engine.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.Bundle;
import dev.berth.engine.runtime.Conmon;
import dev.berth.engine.runtime.ContainerLaunch;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.DockerSeccompProfile;
import dev.berth.engine.runtime.ExecResult;
import dev.berth.engine.runtime.OciRuntime;
import dev.berth.engine.runtime.ProbedRuntime;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.state.ContainerTable;
import dev.berth.engine.stats.CgroupReader;
import dev.berth.engine.stats.CgroupStats;
import dev.berth.engine.stats.ContainerStats;
import dev.berth.engine.stats.HostCpu;
import dev.berth.engine.stats.HostMemory;
import dev.berth.engine.state.ContainerTable.ContainerRow;
import dev.berth.engine.sys.KernelAbi;
import dev.berth.engine.sys.Mounts;
import dev.berth.engine.sys.ProcLimits;
import dev.berth.engine.sys.Pty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container lifecycle: create, start, stop, kill, restart, remove, rename, wait, exec,
 * attach; an exit watcher per running container; reconcile at open. conmon supervises each
 * container, so containers outlive berthd; the database row is the truth for everything else.
 *
 * <p>Files: {@code <data-root>/containers/<id>/} holds config.json (the bundle), rootfs (the
 * overlay mount point), upper, work, hosts, hostname, resolv.conf and ctr.log (conmon's k8s-file
 * log). The rootfs is mounted at start and unmounted when the process exits.
 */
public final class ContainerService {
  private static final Logger log = LoggerFactory.getLogger(ContainerService.class);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
  private static final long MIN_MEMORY = 6L * 1024 * 1024;
  private static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().start(r);
  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final EngineConfig config;
  private final ContainerTable table;
  private final ImageService images;
  private final List<ProbedRuntime> probed;
  /** One conmon driver per usable runtime, by name; containers record the runtime they run on. */
  private final Map<String, Conmon> conmons = new LinkedHashMap<>();
  private final String defaultRuntime;
  private final Path initBinary;
  private final Clock clock;
  private final long hostNofileHard;
  private final List<String> hostCaps;
  /** The default seccomp profile: Debian's containers-common one (Docker's, slightly looser). */
  private final Optional<DockerSeccompProfile> defaultSeccomp;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, ContainerProcess> processes = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> nextExit = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> removed = new ConcurrentHashMap<>();
  private final Map<String, List<CompletableFuture<AttachSession>>> pendingAttach = new ConcurrentHashMap<>();
  private final Map<String, Exec> execs = new ConcurrentHashMap<>();
  private final ContainerUpdater updater;
  private final Map<String, ExecSession> execSessions = new ConcurrentHashMap<>();
  private final ExitWatcher exitWatcher = new ExitWatcher(this::onExit);
  /**
   * The runtime's deletes of exited containers (runc delete, conmon's end, its files), which run
   * after the exit is recorded: a start of the same container awaits its delete, a removal goes on
   * beside it, shutdown waits for them.
   */
  private final Map<String, CompletableFuture<Void>> runtimeDeletes = new ConcurrentHashMap<>();
  private final LogRotation logRotation = new LogRotation();
  private final ContainerMounts mounts;
  private ContainerNetworks networks;
  private final ContainerEvents events;
  /** Runs --isolation=vm containers; {@code vms} holds the running ones (instead of a conmon process). */
  private final MicroVmRuntime microVms;
  private final Map<String, MicroVm> vms = new ConcurrentHashMap<>();

  /**
   * @param probed every runtime the start-up probe tried; usable ones can run containers
   * @param preferred the daemon's --default-runtime, or empty for the first usable one
   * @param conmonBinary conmon's path, or null when it is not installed (start then fails with 503)
   */
  public ContainerService(EngineConfig config, ContainerTable table, ImageService images, List<ProbedRuntime> probed,
      Optional<String> preferred, Path conmonBinary, Path initBinary, Clock clock,
      dev.berth.engine.volume.VolumeService volumes, MicroVmRuntime microVms) {
    this.config = config;
    this.microVms = microVms;
    this.table = table;
    this.updater = new ContainerUpdater(this, table, ContainerUpdater.Host.probe());
    this.images = images;
    this.probed = List.copyOf(probed);
    this.initBinary = initBinary;
    this.clock = clock;
    this.events = new ContainerEvents(images.events());
    this.hostNofileHard = ProcLimits.ofSelf().nofileHard().orElse(1024);
    this.hostCaps = ContainerSpecs.boundingSet();
    this.defaultSeccomp = withoutUnusableAbis(DockerSeccompProfile.installedDefault());
    if (defaultSeccomp.isEmpty()) {
      log.warn("no default seccomp profile (/usr/share/containers/seccomp.json is missing): containers run "
          + "without seccomp unless --security-opt seccomp=FILE; install golang-github-containers-common");
    }
    if (conmonBinary != null) {
      for (ProbedRuntime r : probed) {
        if (r.usable()) {
          conmons.put(r.name(), new Conmon(conmonBinary, OciRuntime.of(r.name(), r.path(), config), config.execRoot()));
        }
      }
    }
    if (preferred.isPresent() && !conmons.containsKey(preferred.get())) {
      log.warn("--default-runtime {} is not usable here ({}); using {}", preferred.get(),
          probed.stream().filter(p -> p.name().equals(preferred.get())).map(ProbedRuntime::reason).findFirst()
              .orElse("not installed"), conmons.keySet().stream().findFirst().orElse("none"));
    }
    this.defaultRuntime = preferred.filter(conmons::containsKey)
        .orElse(conmons.keySet().stream().findFirst().orElse(null));
    images.setUsage(digest -> table.imageInUse(digest.toString()));
    this.mounts = new ContainerMounts(volumes);
    volumes.setUsage(name -> ContainerMounts.users(list(), name));
    this.networks = new ContainerNetworks(null, images);
  }

  /**
   * Docker's default profile covers x86_64, x86 and x32. On a kernel that cannot run x32 code the
   * x32 part of the filter is never reached, yet compiling it costs runc ~15 ms per start.
   */
  private static Optional<DockerSeccompProfile> withoutUnusableAbis(Optional<DockerSeccompProfile> profile) {
    if (profile.isPresent() && KernelAbi.x32Usable().equals(Optional.of(false))) {
      log.info("the kernel runs no x32 code: the default seccomp filter covers x86_64 and x86 only");
      return profile.map(p -> p.withoutArchitecture("SCMP_ARCH_X32"));
    }
    return profile;
  }

  /** Puts containers on networks (CNI); without it each gets a namespace with loopback only. */
  public void useNetworks(dev.berth.engine.network.NetworkService service) {
    this.networks = new ContainerNetworks(service, images);
  }

  /** The conmon driver for a container's runtime; 503 when none works here. */
  private Conmon conmon(Container c) {
    String name = c.config().runtime() == null ? defaultRuntime : c.config().runtime();
    Conmon m = name == null ? null : conmons.get(name);
    if (m == null) {
      throw new BerthException.Unavailable("OCI runtime " + (name == null ? "(none)" : name) + " is not usable here ("
          + probed.stream().map(p -> p.name() + ": " + p.reason()).toList() + "); install runc and conmon");
    }
    return m;
  }

  /** The --isolation=vm runtime (for info). */
  public MicroVmRuntime microVms() {
    return microVms;
  }

  /** The runtimes the probe found (usable or not), for {@code info}. */
  public List<ProbedRuntime> runtimes() {
    return probed;
  }

  /** The runtime containers run on, or empty when none works here. */
  public Optional<String> defaultRuntime() {
    return Optional.ofNullable(defaultRuntime);
  }

  // ---- create ----------------------------------------------------------------------------

  /** Creates a container (state created); its rootfs is mounted at start. */
  public Container create(String name, ContainerConfig requested) {
    String n = name == null || name.isBlank() ? ContainerNames.generate() : ContainerNames.validate(name);
    validateLimits(requested);
    VmIsolation.validate(requested);
    requested = HostOptionsCheck.check(requested, this::find);
    Image image = images.find(requested.image());
    ContainerConfig merged = merge(requested, image.config().config());
    if (merged.args().isEmpty()) {
      throw new BerthException.InvalidArgument("No command specified");
    }
    String id = newId();
    if (merged.hostname().isEmpty()) {
      merged = merged.withHostname(id.substring(0, 12));
    }
    ContainerSpecs.capabilities(merged, hostCaps); // rejects unknown capabilities now, not at start
    String runtime = requested.runtime() == null || requested.runtime().isEmpty() ? defaultRuntime : requested.runtime();
    if (runtime != null && !conmons.containsKey(runtime)) {
      throw new BerthException.InvalidArgument("Unknown runtime specified " + runtime + " (usable here: "
          + String.join(", ", conmons.keySet()) + ")");
    }
    merged = merged.withRuntime(runtime);
    if (VmIsolation.isVm(merged)) {
      microVms.checkAvailable(); // 503 naming the missing package, before anything is made
    }
    ImageConfig.RunConfig imageRun = image.config().config();
    ContainerMounts.Prepared storage = mounts.prepare(id, merged.storage(),
        imageRun == null || imageRun.volumes() == null ? List.of() : imageRun.volumes().keySet(),
        other -> find(other).config().storage());
    merged = merged.withStorage(storage.storage());
    Path dir = dir(id);
    try {
      Files.createDirectories(dir.resolve("rootfs"));
      Files.createDirectories(dir.resolve("upper"));
      Files.createDirectories(dir.resolve("work"));
      writeEtcFiles(dir, merged);
      Instant now = clock.instant();
      ContainerRow row = new ContainerRow(id, n, image.id().toString(), requested.image(), now.toEpochMilli(),
          JSON.writeValueAsString(merged), "created", 0, 0, 0, 0, false, "", 0);
      if (!table.insert(row)) {
        throw new BerthException.Conflict("Conflict. The container name \"/" + n + "\" is already in use by container \""
            + table.byName(n).map(ContainerRow::id).orElse("?") + "\". You have to remove (or rename) that container"
            + " to be able to reuse that name.");
      }
      try {
        networks.join(id, n, merged, this::find);
      } catch (RuntimeException e) {
        networks.forget(id);
        table.delete(id);
        throw e;
      }
      mounts.done(id);
      log.info("container {} created ({}, image {})", id.substring(0, 12), n, image.shortId());
      return events.emitted(toContainer(row), "create");
    } catch (IOException e) {
      deleteTree(dir);
      mounts.undo(id, storage);
      throw new UncheckedIOException("cannot prepare container directory " + dir, e);
    } catch (RuntimeException e) {
      deleteTree(dir);
      mounts.undo(id, storage);
      throw e;
    }
  }

  static void validateLimits(ContainerConfig c) {
    if (c.memory() != 0 && c.memory() < MIN_MEMORY) {
      throw new BerthException.InvalidArgument("invalid --memory: Minimum memory limit allowed is 6MB");
    }
    if (c.memorySwap() > 0 && c.memory() > 0 && c.memorySwap() < c.memory()) {
      throw new BerthException.InvalidArgument(
          "invalid --memory-swap: Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (c.memorySwap() > 0 && c.memory() == 0) {
      throw new BerthException.InvalidArgument("invalid --memory-swap: you should always set the memory limit when"
          + " using memoryswap limit, see usage");
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    if (c.nanoCpus() < 0 || c.nanoCpus() > cpus * 1_000_000_000L) {
      throw new BerthException.InvalidArgument("invalid --cpus: Range of CPUs is from 0.01 to " + cpus
          + ".00, as there are only " + cpus + " CPUs available");
    }
    if (c.cpuShares() < 0) {
      throw new BerthException.InvalidArgument("invalid --cpu-shares: " + c.cpuShares() + " is negative");
    }
    if (c.cpusetCpus() != null && !c.cpusetCpus().isEmpty() && !c.cpusetCpus().matches("[0-9]+([-,][0-9]+)*")) {
      throw new BerthException.InvalidArgument("invalid --cpuset-cpus: " + c.cpusetCpus());
    }
    for (ContainerConfig.Ulimit u : c.ulimits()) {
      if (u.soft() > u.hard() || u.soft() < 0) {
        throw new BerthException.InvalidArgument("invalid --ulimit " + u.name() + ": soft limit " + u.soft()
            + " must be between 0 and the hard limit " + u.hard());
      }
    }
  }

  /** Docker's merge of the image's run config into the container's. */
  static ContainerConfig merge(ContainerConfig c, ImageConfig.RunConfig img) {
    ImageConfig.RunConfig i = img == null
        ? new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null)
        : img;
    List<String> entrypoint = c.entrypoint() != null ? c.entrypoint() : i.entrypoint();
    List<String> cmd = c.cmd() != null && !c.cmd().isEmpty() ? c.cmd()
        : c.entrypoint() != null ? List.of() : i.cmd();
    List<String> env = new ArrayList<>(i.env() == null ? List.of() : i.env());
    for (String e : c.env()) {
      String key = e.contains("=") ? e.substring(0, e.indexOf('=') + 1) : e + "=";
      env.removeIf(x -> x.startsWith(key) || x.equals(key.substring(0, key.length() - 1)));
      env.add(e);
    }
    Map<String, String> labels = new LinkedHashMap<>(i.labels() == null ? Map.of() : i.labels());
    labels.putAll(c.labels());
    return c.withMerged(entrypoint == null ? List.of() : entrypoint, cmd == null ? List.of() : cmd, env,
        !c.workingDir().isEmpty() ? c.workingDir() : i.workingDir() == null ? "" : i.workingDir(),
        !c.user().isEmpty() ? c.user() : i.user() == null ? "" : i.user(), labels,
        c.stopSignal() != null && !c.stopSignal().isEmpty() ? c.stopSignal()
            : i.stopSignal() != null ? i.stopSignal() : "SIGTERM",
        c.stopTimeout() != null ? c.stopTimeout() : i.stopTimeout());
  }

  private void writeEtcFiles(Path dir, ContainerConfig c) throws IOException {
    boolean hostNet = c.networkMode().equals("host");
    String host = hostNet || c.host().utsMode().equals("host") ? hostHostname() : c.hostname();
    Files.writeString(dir.resolve("hostname"), host + "\n");
    Files.writeString(dir.resolve("hosts"), EtcFileContents.hosts(c, host,
        hostNet ? Optional.empty() : Optional.of("127.0.0.1"), networks.hostGateway()));
    List<String> hostResolv = List.of(); // none on the host: the container gets an empty one, as Docker does
    try {
      hostResolv = Files.readAllLines(Path.of("/etc/resolv.conf"));
    } catch (IOException e) {
      // as said
    }
    Files.writeString(dir.resolve("resolv.conf"), EtcFileContents.resolvConf(c, hostResolv, Optional.empty(), !hostNet));
  }

  private static String hostHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "localhost";
    }
  }

  // ---- start -----------------------------------------------------------------------------

  /** Starts a created or exited container; false when it already runs (Docker's 304). */
  public boolean start(String nameOrId) {
    Container c = find(nameOrId);
    ReentrantLock lock = lock(c.id());
    lock.lock();
    try {
      c = get(c.id());
      if (c.running()) {
        return false;
      }
      if (VmIsolation.isVm(c.config())) {
        startVm(c);
        return true;
      }
      awaitRuntimeDelete(c.id()); // the last run's runc state and conmon files must be gone first
      Conmon conmon = conmon(c);
      Path dir = dir(c.id());
      ContainerProcess process = null;
      long t0 = System.nanoTime();
      long tMount = 0;
      long tBundle = 0;
      long tCreate = 0;
      try {
        mountRootfs(c);
        tMount = System.nanoTime();
        Path rootfs = dir.resolve("rootfs");
        mounts.populate(c.config().storage(), rootfs);
        User user = Users.resolve(c.config().user(), c.config().host().groupAdd(), Users.readEtc(rootfs, "passwd"),
            Users.readEtc(rootfs, "group"));
        Spec spec = ContainerSpecs.build(c.id(), c.config(), rootfs, etcFiles(dir), user, initBinary, hostNofileHard,
            hostCaps, defaultSeccomp);
        spec = SharedNamespaces.apply(spec, c.config(), this::find);
        ContainerNetworks.Start network = networks.attach(c, dir, this::find);
        spec = network.withLinks(spec);
        if (network.netns().isPresent()) {
          spec = ContainerNetworks.joinNetns(spec, network.netns().get());
        }
        Bundle bundle = Bundle.write(dir, spec);
        tBundle = System.nanoTime();
        clearExitFile(conmon, c.id());
        process = conmon.create(new ContainerLaunch(c.id(), c.name(), bundle, logPath(c.id()),
            c.config().logConfig().conmonSizeMax(),
            c.config().tty(), c.config().openStdin(), !c.config().stdinOnce()), CREATE_TIMEOUT);
        tCreate = System.nanoTime();
        network.ready(); // CNI ADD ran beside the create; the interfaces are in before the process starts
        connectPendingAttaches(c.id(), process::attach);
        process.start();
      } catch (RuntimeException e) {
        failStart(c, process, e);
        throw startError(e);
      }
      Instant now = clock.instant();
      Container running = c.withState(new ContainerState.Running(process.pid(), now));
      save(running, now, Instant.EPOCH);
      processes.put(c.id(), process);
      watch(c, process);
      long tStart = System.nanoTime();
      log.info("container {} started (pid {})", c.shortId(), process.pid());
      events.emit(running, "start");
      log.debug("container {} start took {} ms: mount {}, spec+bundle {}, conmon+create {}, start {}", c.shortId(),
          (tStart - t0) / 1_000_000, (tMount - t0) / 1_000_000, (tBundle - tMount) / 1_000_000,
          (tCreate - tBundle) / 1_000_000, (tStart - tCreate) / 1_000_000);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Boots the container's microVM (lock held): the rootfs shared over 9p, the guest init runs the command. */
  private void startVm(Container c) {
    Path dir = dir(c.id());
    MicroVm vm = null;
    try {
      mountRootfs(c);
      Path rootfs = dir.resolve("rootfs");
      User user = Users.resolve(c.config().user(), Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
      vm = microVms.launch(c.id(), dir, rootfs, VmIsolation.guestCommand(c.config(), user),
          new MicroVmRuntime.EtcFiles(dir.resolve("hosts"), dir.resolve("hostname"), dir.resolve("resolv.conf")),
          c.config().memory(), c.config().nanoCpus(), logPath(c.id()));
      connectPendingAttaches(c.id(), vm::attach);
    } catch (RuntimeException e) {
      if (vm != null) {
        vm.destroy();
      }
      failStart(c, null, e);
      throw startError(e);
    }
    Instant now = clock.instant();
    save(c.withState(new ContainerState.Running((int) vm.pid(), now)), now, Instant.EPOCH);
    follow(c.id(), vm);
  }

  private void follow(String id, MicroVm vm) {
    vms.put(id, vm);
    vm.follow(code -> onVmExit(id, vm, code));
  }

  /** A microVM ended (QEMU gone, its output in the log): as {@link #onExit} for conmon's containers. */
  private void onVmExit(String id, MicroVm vm, int code) {
    ReentrantLock lock = lock(id);
    boolean autoRemove;
    lock.lock();
    try {
      vms.remove(id, vm);
      vm.destroy();
      Optional<ContainerRow> row = table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      Container c = toContainer(row.get());
      unmountRootfs(id);
      Instant finished = vm.finishedAt();
      Instant started = c.state() instanceof ContainerState.Running r ? r.startedAt() : Instant.EPOCH;
      save(c.withState(new ContainerState.Exited(code, started, finished, false, "")), started, finished);
      log.info("container {} (microVM) exited with {}", c.shortId(), code);
      autoRemove = c.config().autoRemove();
    } finally {
      lock.unlock();
    }
    completeExit(id, code);
    if (autoRemove) {
      removeQuietly(id);
    }
  }

  /** Docker's exit codes for a process that cannot run: 127 not found, 126 not executable. */
  static int startFailureCode(String message) {
    String m = message == null ? "" : message;
    if (m.contains("chdir to cwd")) {
      return 126; // a missing working directory: dockerd's 126, though the message says "no such file"
    }
    if (m.contains("executable file not found") || m.contains("no such file or directory")) {
      return 127;
    }
    if (m.contains("permission denied")) {
      return 126;
    }
    return 128;
  }

  private void failStart(Container c, ContainerProcess process, RuntimeException e) {
    if (process != null) {
      process.delete();
    }
    failPendingAttaches(c.id(), e);
    networks.detach(c.id());
    unmountRootfs(c.id());
    int code = startFailureCode(e.getMessage());
    Instant now = clock.instant();
    save(c.withState(new ContainerState.Exited(code, Instant.EPOCH, now, false, String.valueOf(e.getMessage()))),
        Instant.EPOCH, now);
    completeExit(c.id(), code);
    log.info("container {} failed to start: {}", c.shortId(), e.getMessage());
    events.emit(c, "die", Map.of("exitCode", Integer.toString(code)));
    if (c.config().autoRemove()) {
      Thread.ofVirtual().start(() -> removeQuietly(c.id()));
    }
  }

  private static RuntimeException startError(RuntimeException e) {
    if (e instanceof BerthException.InvalidArgument || e instanceof BerthException.Unavailable
        || e instanceof BerthException.NotFound || e instanceof BerthException.Conflict) {
      return e;
    }
    return startFailureCode(e.getMessage()) != 128
        ? new BerthException.InvalidArgument("failed to create task for container: OCI runtime create failed: "
            + e.getMessage() + ": unknown")
        : e;
  }

  private void mountRootfs(Container c) {
    Path dir = dir(c.id());
    Path rootfs = dir.resolve("rootfs");
    if (Mounts.isMountPoint(rootfs)) {
      return;
    }
    Image image = images.find(c.imageId());
    List<Path> lower = new ArrayList<>();
    for (Image.ImageLayer layer : image.layers()) {
      lower.add(images.layers().diffDir(layer.chainId()));
    }
    try {
      if (lower.isEmpty()) {
        // overlay needs a lowerdir: an image without layers gets an empty one.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        lower.add(empty);
      }
      Mounts.mountOverlay(lower, dir.resolve("upper"), dir.resolve("work"), rootfs);
    } catch (IOException e) {
      throw new BerthException("cannot mount the rootfs of container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  /** Work on a container's mounted rootfs. */
  @FunctionalInterface
  public interface RootfsWork<T> {
    T apply(Container c, Path rootfs) throws IOException;
  }

  /**
   * Runs {@code work} on the container's rootfs under the container's lock; a container that is
   * not running gets its overlay mounted for the call and unmounted after.
   */
  public <T> T withRootfs(String nameOrId, RootfsWork<T> work) throws IOException {
    Container c = find(nameOrId);
    ReentrantLock lock = lock(c.id());
    lock.lock();
    boolean mountedHere = false;
    try {
      c = get(c.id());
      Path rootfs = dir(c.id()).resolve("rootfs");
      if (!Mounts.isMountPoint(rootfs)) {
        mountRootfs(c);
        mountedHere = true;
      }
      return work.apply(c, rootfs);
    } finally {
      if (mountedHere) {
        unmountRootfs(c.id());
      }
      lock.unlock();
    }
  }

  /** Publishes the container's events (for commit, export and copies, which live in their own classes). */
  public ContainerEvents events() {
    return events;
  }

  private void unmountRootfs(String id) {
    Path rootfs = dir(id).resolve("rootfs");
    try {
      Mounts.unmount(rootfs, 0);
    } catch (IOException e) {
      try {
        Mounts.unmount(rootfs, Mounts.MNT_DETACH);
      } catch (IOException again) {
        log.warn("container {}: cannot unmount {}: {}", id.substring(0, 12), rootfs, again.getMessage());
      }
    }
  }

  private static void clearExitFile(Conmon conmon, String id) {
    try {
      Files.deleteIfExists(conmon.paths(id).exitFile());
    } catch (IOException ignored) {
      // conmon overwrites it anyway
    }
  }

  // ---- exit watching ---------------------------------------------------------------------

  private void watch(Container c, ContainerProcess process) {
    exitWatcher.watch(c.id(), process);
    logRotation.watch(c.id(), logPath(c.id()), c.config().logConfig(), process::reopenLog);
  }

  private void onExit(String id, ContainerProcess process, int code) {
    ReentrantLock lock = lock(id);
    boolean autoRemove;
    lock.lock();
    try {
      Optional<ContainerRow> row = table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      Container c = toContainer(row.get());
      boolean oom = oomKilled(id);
      Instant finished = exitTime(process); // before delete() takes the exit file
      logRotation.unwatch(id);
      // The runtime's delete (an exec of runc, then conmon's end: 20-50 ms) needs neither the rootfs
      // nor the network, and no wait needs it: it runs on after the exit is recorded (a start of
      // this container awaits it), which shortens every exit and run --rm.
      CompletableFuture<Void> deleted = new CompletableFuture<>();
      runtimeDeletes.put(id, deleted);
      VIRTUAL.execute(() -> {
        try {
          process.delete();
          deleted.complete(null);
        } catch (RuntimeException e) {
          log.warn("container {}: the runtime could not delete it: {}", c.shortId(), e.getMessage());
          deleted.completeExceptionally(e);
        } finally {
          runtimeDeletes.remove(id, deleted);
        }
      });
      processes.remove(id);
      networks.detach(id);
      unmountRootfs(id);
      Instant now = finished;
      Instant started = c.state() instanceof ContainerState.Running r ? r.startedAt() : Instant.EPOCH;
      save(c.withState(new ContainerState.Exited(code, started, now, oom, "")), started, now);
      log.info("container {} exited with {}{}", c.shortId(), code, oom ? " (OOM killed)" : "");
      if (oom) events.emit(c, "oom");
      events.emit(c, "die", Map.of("exitCode", Integer.toString(code)));
      autoRemove = c.config().autoRemove();
    } finally {
      lock.unlock();
    }
    completeExit(id, code);
    if (autoRemove) {
      removeQuietly(id);
    }
  }

  /** When conmon wrote the exit file (it may have been while berthd was down); now if there is none. */
  private Instant exitTime(ContainerProcess process) {
    try {
      return Files.getLastModifiedTime(process.paths().exitFile()).toInstant();
    } catch (IOException e) {
      return clock.instant();
    }
  }

  /** Whether the kernel's OOM killer struck in the container's cgroup (v1 memory.oom_control, v2 memory.events). */
  static boolean oomKilled(String id) {
    for (Path file : List.of(Path.of("/sys/fs/cgroup/memory/berth", id, "memory.oom_control"),
        Path.of("/sys/fs/cgroup/berth", id, "memory.events"))) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).strip()) > 0) {
            return true;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not this cgroup version
      }
    }
    return false;
  }

  private void completeExit(String id, int code) {
    CompletableFuture<Integer> f = nextExit.remove(id);
    if (f != null) {
      f.complete(code);
    }
  }

  // ---- reconcile -------------------------------------------------------------------------

  /**
   * After a (re)start of berthd: running containers are re-attached to their conmon; those that
   * exited meanwhile get their exit code; AutoRemove ones that exited are removed.
   */
  public void reconcile() {
    for (ContainerRow row : table.all()) {
      Container c = toContainer(row);
      try {
        if (!Files.isDirectory(dir(c.id()))) {
          // Removed on disk but the row's delete was lost: a power cut rolled back the last
          // commits (the database syncs lazily, see StateStore). Finish the removal.
          removeQuietly(c.id(), false);
          log.info("container {}: its directory is gone, removal finished", c.shortId());
          continue;
        }
        if (c.running() && VmIsolation.isVm(c.config())) {
          follow(c.id(), microVms.reattach(c.id(), dir(c.id()), logPath(c.id())));
          log.info("container {}: following its microVM again", c.shortId());
        } else if (c.running()) {
          ContainerProcess process;
          try {
            process = conmon(c).reattach(c.id());
          } catch (BerthException.NotFound | BerthException.Unavailable gone) {
            process = null;
          }
          if (process == null) {
            // The exec-root was wiped (a reboot): the container is gone with it.
            unmountRootfs(c.id());
            Instant now = clock.instant();
            Instant started = ((ContainerState.Running) c.state()).startedAt();
            save(c.withState(new ContainerState.Exited(255, started, now, false, "container lost while berthd was down")),
                started, now);
            if (c.config().autoRemove()) {
              removeQuietly(c.id());
            }
            continue;
          }
          processes.put(c.id(), process);
          OptionalInt code = process.exitCode();
          if (code.isPresent() || !process.conmonRunning()) {
            onExit(c.id(), process, code.orElse(255));
          } else {
            syncPaused(c, process);
            watch(c, process);
            log.info("container {} still running (pid {}): re-attached", c.shortId(), process.pid());
          }
        } else if (c.state() instanceof ContainerState.Exited && c.config().autoRemove()) {
          removeQuietly(c.id());
        } else if (Mounts.isMountPoint(dir(c.id()).resolve("rootfs"))) {
          unmountRootfs(c.id());
        }
      } catch (RuntimeException e) {
        log.warn("container {}: reconcile failed: {}", c.shortId(), e.getMessage());
      }
    }
    finishRuntimeDeletes();
    networks.reconcile(new java.util.HashSet<>(processes.keySet()));
  }

  /**
   * An exit is recorded before the runtime's delete runs (see onExit), so a crash in between
   * leaves runc's state and conmon's files of a container that no longer runs, or whose row is
   * gone: they are deleted here, before any start of that container needs its id in runc again.
   */
  private void finishRuntimeDeletes() {
    Optional<Conmon> any = conmons.values().stream().findFirst(); // one exec-root for all runtimes
    if (any.isEmpty()) {
      return;
    }
    Path states = any.get().execRoot().resolve("conmon");
    List<String> ids = new ArrayList<>();
    try (var dirs = Files.newDirectoryStream(states)) {
      dirs.forEach(d -> ids.add(d.getFileName().toString()));
    } catch (IOException none) {
      return;
    }
    for (String id : ids) {
      if (processes.containsKey(id) || runtimeDeletes.containsKey(id)) {
        continue;
      }
      try {
        ContainerProcess left = any.get().reattach(id);
        if (left.conmonRunning()) {
          continue; // conmon still supervises something (an exec session): not a finished exit
        }
        left.delete();
        log.info("container {}: finished its runtime delete", id.substring(0, Math.min(12, id.length())));
      } catch (BerthException notAttachable) {
        deleteTree(states.resolve(id)); // no pidfiles: nothing of the runtime left to ask
      }
    }
  }

  /** The runtime knows whether the cgroup is frozen; the record follows it (paused or thawed while berthd was down). */
  private void syncPaused(Container c, ContainerProcess process) {
    String status;
    try {
      status = process.state().status();
    } catch (BerthException e) {
      return; // the watcher finds out whether it still runs
    }
    boolean paused = "paused".equals(status);
    if (c.state() instanceof ContainerState.Running r && r.paused() != paused
        && ("running".equals(status) || paused)) {
      save(c.withState(r.withPaused(paused)), Instant.EPOCH, Instant.EPOCH);
      log.info("container {} is {} (runtime state)", c.shortId(), status);
    }
  }

  // ---- stop, kill, restart -----------------------------------------------------------------

  /** Sends the stop signal, then SIGKILL after {@code timeout}; false when it was not running (304). */
  public boolean stop(String nameOrId, Optional<Duration> timeout) {
    Container c = find(nameOrId);
    if (!c.running()) {
      return false;
    }
    CompletableFuture<Integer> exit = exitFuture(c.id());
    if (!get(c.id()).running()) {
      return true; // exited between our look and the registration
    }
    Duration grace = timeout.orElse(Duration.ofSeconds(c.config().stopTimeout() == null ? 10 : c.config().stopTimeout()));
    signal(c, Signals.parse(c.config().stopSignal()));
    if (!awaitQuietly(exit, grace)) {
      log.info("container {} did not stop within {}s: killing it", c.shortId(), grace.toSeconds());
      signal(c, 9);
      if (!awaitQuietly(exit, Duration.ofSeconds(30))) {
        throw new BerthException("container " + c.shortId() + " did not exit after SIGKILL");
      }
    }
    events.emit(c, "stop");
    return true;
  }

  public void kill(String nameOrId, String signal) {
    Container c = find(nameOrId);
    int sig = Signals.parse(signal == null || signal.isEmpty() ? "SIGKILL" : signal);
    if (!c.running()) {
      throw new BerthException.Conflict("Cannot kill container: " + nameOrId + ": Container " + c.id()
          + " is not running");
    }
    signal(c, sig);
  }

  // ---- pause, unpause -------------------------------------------------------------------------

  /** Freezes the container's cgroup ({@code runc pause}); 409 unless it runs unpaused. */
  public void pause(String nameOrId) {
    Container c = find(nameOrId);
    ReentrantLock lock = lock(c.id());
    lock.lock();
    try {
      c = get(c.id());
      if (!c.running()) {
        throw new BerthException.Conflict("Container " + c.id() + " is not running");
      }
      if (c.paused()) {
        throw new BerthException.Conflict("Container " + c.id() + " is already paused");
      }
      if (VmIsolation.isVm(c.config())) {
        throw VmIsolation.unsupported(c, "pause");
      }
      conmon(c).runtime().pause(c.id());
      ContainerState.Running r = (ContainerState.Running) c.state();
      save(c.withState(r.withPaused(true)), Instant.EPOCH, Instant.EPOCH);
      log.info("container {} paused", c.shortId());
      events.emit(c, "pause");
    } finally {
      lock.unlock();
    }
  }

  /** Thaws a paused container ({@code runc resume}); 409 unless it is paused. */
  public void unpause(String nameOrId) {
    Container c = find(nameOrId);
    ReentrantLock lock = lock(c.id());
    lock.lock();
    try {
      c = get(c.id());
      if (!c.paused()) {
        throw new BerthException.Conflict("Container " + c.id() + " is not paused");
      }
      resume(c);
      log.info("container {} unpaused", c.shortId());
      events.emit(c, "unpause");
    } finally {
      lock.unlock();
    }
  }

  /** Thaws and records it; a container that already left the frozen state counts as thawed. */
  private void resume(Container c) {
    try {
      conmon(c).runtime().resume(c.id());
    } catch (BerthException e) {
      // runc refuses to resume a container that is not paused (it exited, or was thawed behind
      // our back): the record must still stop saying paused.
      if (get(c.id()).paused() && runtimeStatus(c).filter("paused"::equals).isPresent()) {
        throw e;
      }
    }
    Container now = get(c.id());
    if (now.state() instanceof ContainerState.Running r && r.paused()) {
      save(now.withState(r.withPaused(false)), Instant.EPOCH, Instant.EPOCH);
    }
  }

  /** What the runtime says of the container (running, paused, stopped…); empty when it does not know it. */
  private Optional<String> runtimeStatus(Container c) {
    ContainerProcess p = processes.get(c.id());
    if (p == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(p.state().status());
    } catch (BerthException e) {
      return Optional.empty();
    }
  }

  public void restart(String nameOrId, Optional<Duration> timeout) {
    Container c = find(nameOrId);
    stop(c.id(), timeout);
    start(c.id());
    table.byId(c.id()).ifPresent(r -> table.updateState(new ContainerRow(r.id(), r.name(), r.imageId(), r.imageRef(),
        r.created(), r.configJson(), r.status(), r.pid(), r.exitCode(), r.startedAt(), r.finishedAt(), r.oomKilled(),
        r.error(), r.restartCount() + 1)));
    events.emit(c, "restart");
  }

  /** Whether the runtime says the container's init has ended; a failing query counts as not ended. */
  private static boolean initStopped(ContainerProcess p) {
    try {
      return p.state().status().equals("stopped");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void signal(Container c, int sig) {
    MicroVm vm = vms.get(c.id());
    if (vm != null) {
      vm.signal(sig);
      return;
    }
    ContainerProcess p = processes.get(c.id());
    if (p == null) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    try {
      p.kill(sig);
      events.emit(c, "kill", Map.of("signal", Integer.toString(sig)));
    } catch (BerthException e) {
      if (!p.exitCode().isPresent() && p.conmonRunning() && !initStopped(p)) {
        throw e;
      }
      // It exited between our look and the signal (conmon may not have written the exit code
      // yet): the watcher records it.
    }
    // A frozen process keeps the signal pending until thawed. Docker unpauses after a signal meant
    // to end the container (SIGKILL or its stop signal), so stop, kill and rm -f work on a paused
    // one; any other signal stays pending in the paused container, as in Docker.
    String stopSignal = c.config().stopSignal();
    boolean ending = sig == 9 || sig == Signals.parse(stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal);
    Container now = table.byId(c.id()).map(this::toContainer).orElse(c);
    if (ending && now.paused()) {
      ReentrantLock lock = lock(c.id());
      lock.lock();
      try {
        if (get(c.id()).paused()) {
          resume(get(c.id()));
        }
      } catch (BerthException.NotFound gone) {
        // removed meanwhile
      } finally {
        lock.unlock();
      }
    }
  }

  private CompletableFuture<Integer> exitFuture(String id) {
    return nextExit.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  private static boolean awaitQuietly(CompletableFuture<Integer> f, Duration d) {
    try {
      f.get(Math.max(d.toMillis(), 0), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  // ---- wait --------------------------------------------------------------------------------

  public enum WaitCondition {
    NOT_RUNNING, NEXT_EXIT, REMOVED;

    public static WaitCondition parse(String s) {
      return switch (s == null || s.isEmpty() ? "not-running" : s) {
        case "not-running" -> NOT_RUNNING;
        case "next-exit" -> NEXT_EXIT;
        case "removed" -> REMOVED;
        default -> throw new BerthException.InvalidArgument("invalid condition: \"" + s + "\"");
      };
    }
  }

  /** The outcome of a wait: the exit code and, when the process never ran, why. */
  public record WaitResult(int statusCode, String error) {}

  /**
   * Registers the wait now (so a start that follows cannot be missed) and returns a future for
   * its answer, as Docker answers the wait's headers before the condition holds.
   */
  public CompletableFuture<WaitResult> waitFor(String nameOrId, WaitCondition condition) {
    Container c = find(nameOrId);
    String id = c.id();
    CompletableFuture<Integer> f = switch (condition) {
      case NOT_RUNNING -> {
        CompletableFuture<Integer> next = exitFuture(id);
        Container now = get(id);
        yield now.running() ? next : CompletableFuture.completedFuture(exitCode(now));
      }
      case NEXT_EXIT -> exitFuture(id);
      case REMOVED -> removed.computeIfAbsent(id, k -> new CompletableFuture<>());
    };
    return f.thenApply(code -> new WaitResult(code, table.byId(id).map(ContainerRow::error).orElse("")));
  }

  private static int exitCode(Container c) {
    return c.state() instanceof ContainerState.Exited e ? e.exitCode() : 0;
  }

  // ---- remove, rename, prune -----------------------------------------------------------------

  public void remove(String nameOrId, boolean force) {
    remove(nameOrId, force, false);
  }

  /** Docker's {@code rm --link /PARENT/ALIAS}: the parent forgets the link; both containers stay. */
  public void removeLink(String linkName) {
    String parentName = ContainerLinks.parentOf(linkName);
    Container parent;
    try {
      parent = find(parentName);
    } catch (BerthException.NotFound e) {
      throw new BerthException.NotFound("Cannot get parent /" + parentName + " for link name " + linkName);
    }
    ReentrantLock lock = lock(parent.id());
    lock.lock();
    try {
      ContainerConfig changed = ContainerLinks.without(get(parent.id()).config(), parent.name(), linkName);
      table.updateConfig(parent.id(), JSON.writeValueAsString(changed));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  /** As Docker's rm; {@code removeVolumes} (rm -v) also removes the container's anonymous volumes. */
  public void remove(String nameOrId, boolean force, boolean removeVolumes) {
    Container c = find(nameOrId);
    if (c.running()) {
      if (!force) {
        throw new BerthException.Conflict("You cannot remove a running container " + c.id()
            + ". Stop the container before attempting removal or force remove");
      }
      // The future exists before the look, so an exit recorded after it completes the future.
      CompletableFuture<Integer> exit = exitFuture(c.id());
      if (get(c.id()).running()) {
        try {
          signal(c, 9);
        } catch (BerthException.Conflict ending) {
          // It died on its own and its exit is being recorded right now: wait for that.
        }
        awaitQuietly(exit, Duration.ofSeconds(30));
      } else {
        nextExit.remove(c.id(), exit);
      }
    }
    removeNow(c.id(), removeVolumes);
  }

  /** AutoRemove (--rm): anonymous volumes go with the container, as in Docker. */
  private void removeQuietly(String id) {
    removeQuietly(id, true);
  }

  private void removeQuietly(String id, boolean removeVolumes) {
    try {
      removeNow(id, removeVolumes);
    } catch (RuntimeException e) {
      log.warn("container {}: auto-remove failed: {}", id.substring(0, 12), e.getMessage());
    }
  }

  private void removeNow(String id, boolean removeVolumes) {
    ReentrantLock lock = lock(id);
    lock.lock();
    int code;
    try {
      Optional<ContainerRow> row = table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      code = row.get().exitCode();
      ContainerProcess p = processes.remove(id);
      MicroVm vm = vms.remove(id);
      if (vm != null) {
        vm.destroy();
      } else if (VmIsolation.isVm(toContainer(row.get()).config())) {
        microVms.reattach(id, dir(id), logPath(id)).destroy();
      } else if (p != null) {
        p.delete();
      } else if (runtimeDeletes.containsKey(id)) {
        // the exit's runtime delete is under way; it touches nothing removed here
      } else {
        try {
          conmon(toContainer(row.get())).reattach(id).delete();
        } catch (BerthException.NotFound | BerthException.Unavailable nothingLeft) {
          // never started, or cleaned up at exit
        }
      }
      unmountRootfs(id);
      networks.forget(id);
      failPendingAttaches(id, new BerthException.NotFound("container " + id + " was removed"));
      deleteTree(dir(id));
      table.delete(id);
      mounts.release(toContainer(row.get()).config().storage(), removeVolumes);
      events.emit(toContainer(row.get()), "destroy");
      execs.values().removeIf(e -> e.containerId().equals(id));
      log.info("container {} removed", id.substring(0, 12));
    } finally {
      lock.unlock();
      locks.remove(id);
    }
    completeExit(id, code);
    CompletableFuture<Integer> f = removed.remove(id);
    if (f != null) {
      f.complete(code);
    }
  }

  public void rename(String nameOrId, String newName) {
    Container c = find(nameOrId);
    String n = ContainerNames.validate(newName);
    if (!table.rename(c.id(), n)) {
      throw new BerthException.Conflict("Error when allocating new name: Conflict. The container name \"/" + n
          + "\" is already in use by container \"" + table.byName(n).map(ContainerRow::id).orElse("?")
          + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }
    events.emit(get(c.id()), "rename", Map.of("oldName", "/" + c.name()));
  }

  /** Removes every stopped container; returns their IDs. */
  public List<String> prune(java.util.function.Predicate<Container> filter) {
    List<String> gone = new ArrayList<>();
    for (Container c : list()) {
      if (!c.running() && filter.test(c)) {
        removeQuietly(c.id(), false);
        gone.add(c.id());
      }
    }
    return gone;
  }

  // ---- queries -------------------------------------------------------------------------------

  public List<Container> list() {
    return table.all().stream().map(this::toContainer).toList();
  }

  /** By full ID, name (with or without "/"), or unique ID prefix; 404 otherwise. */
  public Container find(String nameOrId) {
    if (nameOrId == null || nameOrId.isBlank()) {
      throw new BerthException.InvalidArgument("a container name or ID is required");
    }
    String key = nameOrId.startsWith("/") ? nameOrId.substring(1) : nameOrId;
    Optional<ContainerRow> row = table.byId(key).or(() -> table.byName(key));
    if (row.isEmpty() && HEX.matcher(key).matches()) {
      List<ContainerRow> matches = table.byIdPrefix(key);
      if (matches.size() > 1) {
        throw new BerthException.InvalidArgument("multiple IDs found with provided prefix: " + key);
      }
      row = matches.stream().findFirst();
    }
    return row.map(this::toContainer).orElseThrow(() -> new BerthException.NotFound("No such container: " + nameOrId));
  }

  private Container get(String id) {
    return table.byId(id).map(this::toContainer).orElseThrow(() -> new BerthException.NotFound("No such container: " + id));
  }

  public Path logPath(String id) {
    return dir(id).resolve("ctr.log");
  }

  /** The container's directory (bundle, upper dir, rootfs mount point). */
  public Path dir(String id) {
    return config.dataRoot().resolve("containers").resolve(id);
  }

  /** Host pids of the container's processes (for top). */
  public List<Integer> pids(String nameOrId) {
    Container c = find(nameOrId);
    if (!c.running()) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    MicroVm vm = vms.get(c.id());
    if (vm != null) {
      return List.of((int) vm.pid()); // the guest's processes are inside QEMU
    }
    return conmon(c).runtime().ps(c.id());
  }

  /**
   * Reads the container's cgroup (at the spec's linux.cgroupsPath, under each v1 controller or
   * in the v2 tree) together with the host's CPU time, so two readings give Docker's CPU %.
   */
  public ContainerStats stats(String nameOrId) {
    Container c = find(nameOrId);
    HostCpu host = HostCpu.read(HostCpu.PROC_STAT);
    Instant now = clock.instant();
    CgroupStats cgroup = null;
    Map<String, dev.berth.engine.stats.NetDev.Counters> interfaces = Map.of();
    if (c.running()) {
      CgroupReader reader = CgroupReader.forPath(CgroupReader.DEFAULT_ROOT, cgroupsPath(c.id()));
      if (reader.exists()) {
        cgroup = reader.read();
      }
      // Only a namespace of its own: host mode would show the host's, a microVM's pid is QEMU's.
      if (!c.config().networkMode().equals("host") && !VmIsolation.isVm(c.config())
          && c.state() instanceof ContainerState.Running r) {
        interfaces = dev.berth.engine.stats.NetDev.ofProcess(r.pid());
      }
    }
    return new ContainerStats(c.id(), c.name(), now, cgroup, host, HostMemory.total(), interfaces);
  }

  private String cgroupsPath(String id) {
    try {
      Spec spec = SpecJson.read(Files.readAllBytes(dir(id).resolve("config.json")), Spec.class);
      if (spec.linux() != null && spec.linux().cgroupsPath() != null) {
        return spec.linux().cgroupsPath();
      }
    } catch (IOException | RuntimeException e) {
      // no bundle (never started): the default path finds nothing either
    }
    return "/berth/" + id;
  }

  // ---- attach, resize --------------------------------------------------------------------------

  /**
   * A connection to the container's stdio: at once when it runs, else registered now and
   * completed by its start (failed by a failed start or its removal), as docker run attaches
   * before it starts: registering first is what keeps the first output. Cancel the future to
   * give up waiting.
   */
  public CompletableFuture<AttachSession> attachWhenStarted(String nameOrId) throws IOException {
    Container c = find(nameOrId);
    events.emit(c, "attach");
    ContainerProcess p = processes.get(c.id());
    if (p != null) {
      return CompletableFuture.completedFuture(p.attach());
    }
    MicroVm vm = vms.get(c.id());
    if (vm != null) {
      return CompletableFuture.completedFuture(vm.attach());
    }
    if (!(c.state() instanceof ContainerState.Created) && !(c.state() instanceof ContainerState.Exited)) {
      throw new BerthException.Conflict("container " + c.id() + " is not running");
    }
    CompletableFuture<AttachSession> f = new CompletableFuture<>();
    // One atomic step with the start's removal of the list, so a start cannot take the list
    // between this finding it and adding to it.
    List<CompletableFuture<AttachSession>> pending = pendingAttach.compute(c.id(), (id, list) -> {
      List<CompletableFuture<AttachSession>> l = list != null ? list : new CopyOnWriteArrayList<>();
      l.add(f);
      return l;
    });
    f.whenComplete((session, failure) -> {
      if (f.isCancelled()) {
        pending.remove(f);
      }
    });
    return f;
  }

  /** Opens one attach session (conmon's socket, or a microVM's output). */
  private interface AttachSource {
    AttachSession open() throws IOException;
  }

  private void connectPendingAttaches(String id, AttachSource source) {
    List<CompletableFuture<AttachSession>> pending = pendingAttach.remove(id);
    if (pending == null) {
      return;
    }
    for (CompletableFuture<AttachSession> f : pending) {
      if (f.isDone()) {
        continue; // cancelled: nobody would read it
      }
      try {
        AttachSession session = source.open();
        if (!f.complete(session)) {
          session.close();
        }
      } catch (IOException e) {
        f.completeExceptionally(e);
      }
    }
  }

  private void failPendingAttaches(String id, RuntimeException e) {
    List<CompletableFuture<AttachSession>> pending = pendingAttach.remove(id);
    if (pending != null) {
      pending.forEach(f -> f.completeExceptionally(e));
    }
  }

  public void resize(String nameOrId, int height, int width) {
    Container c = find(nameOrId);
    ContainerProcess p = processes.get(c.id());
    if (p == null) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    if (!c.config().tty()) {
      return;
    }
    try {
      p.resize(height, width);
    } catch (IOException e) {
      throw new BerthException("cannot resize the terminal of container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  // ---- exec ------------------------------------------------------------------------------------

  /** An exec session: created, then run once. */
  public record Exec(String id, String containerId, ExecConfig config, boolean running, Integer exitCode,
      String stdout, String stderr) {}

  /** What an exec runs; empty user/workingDir mean the container's. */
  public record ExecConfig(List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
      boolean attachStdin, boolean privileged) {}

  public Exec createExec(String nameOrId, ExecConfig cfg) {
    Container c = find(nameOrId);
    if (!c.running()) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    if (c.paused()) {
      throw new BerthException.Conflict("Container " + c.id() + " is paused, unpause the container before exec");
    }
    if (VmIsolation.isVm(c.config())) {
      throw VmIsolation.unsupported(c, "exec");
    }
    if (cfg.cmd() == null || cfg.cmd().isEmpty()) {
      throw new BerthException.InvalidArgument("No exec command specified");
    }
    Exec e = new Exec(newId(), c.id(), cfg, false, null, "", "");
    execs.put(e.id(), e);
    events.exec(c, "exec_create", e, Map.of());
    return e;
  }

  public Exec exec(String execId) {
    Exec e = execs.get(execId);
    if (e == null) {
      throw new BerthException.NotFound("No such exec instance: " + execId);
    }
    return e;
  }

  /**
   * Runs a detached exec to completion under a conmon of its own (conmon --exec), so it outlives
   * berthd like the container; output goes to the exec's record, not to a client.
   */
  public Exec runExec(String execId, Duration timeout) {
    Exec e = claim(execId);
    ContainerProcess p = processes.get(e.containerId());
    if (p == null) {
      throw new BerthException.Conflict("Container " + e.containerId() + " is not running");
    }
    int code;
    String out = "";
    String err = "";
    events.exec(get(e.containerId()), "exec_start", e, Map.of());
    try {
      ExecResult r = p.exec(processSpec(e), timeout);
      code = r.exitCode();
      out = r.stdout();
      err = r.stderr();
    } catch (BerthException ex) {
      code = startFailureCode(ex.getMessage()) == 128 ? 126 : startFailureCode(ex.getMessage());
      err = ex.getMessage() + "\n";
    }
    Exec done = new Exec(e.id(), e.containerId(), e.config(), false, code, out, err);
    execs.put(execId, done);
    events.exec(get(e.containerId()), "exec_die", e, Map.of("exitCode", Integer.toString(code)));
    return done;
  }

  /**
   * Starts an attached exec: {@code runc exec} with pipes for stdio, or a pty when the exec
   * asked for a TTY; the caller streams it.
   */
  public ExecSession startExec(String execId) {
    Exec e = claim(execId);
    if (!processes.containsKey(e.containerId())) {
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, null, "", ""));
      throw new BerthException.Conflict("Container " + e.containerId() + " is not running");
    }
    try {
      Path spec = dir(e.containerId()).resolve("exec-" + e.id() + ".json");
      Files.write(spec, SpecJson.toBytes(processSpec(e, e.config().tty())));
      List<String> argv = new ArrayList<>();
      OciRuntime runtime = conmon(get(e.containerId())).runtime();
      argv.add(runtime.binary().toString());
      argv.addAll(runtime.globalArgs());
      argv.addAll(List.of("exec", "--process", spec.toString(), e.containerId()));
      Pty pty = null;
      if (e.config().tty()) {
        // runc (terminal: true, without --detach) gives the process a console in the
        // container's devpts and relays it to its own stdio, this pty: raw, so bytes pass as they are.
        pty = Pty.open();
        try {
          pty.makeRaw();
        } catch (IOException rawFailed) {
          pty.close();
          throw rawFailed;
        }
        // A shell opens the slave in the child: were berthd (a session leader under systemd or
        // setsid) to open it, the pty would become its controlling terminal and its hangup kill berthd.
        List<String> viaShell = new ArrayList<>(List.of("/bin/sh", "-c",
            "exec \"$0\" \"$@\" <>\"$BERTH_EXEC_PTY\" >&0 2>&0"));
        viaShell.addAll(argv);
        argv = viaShell;
      }
      ProcessBuilder pb = new ProcessBuilder(argv);
      if (pty != null) {
        pb.environment().put("BERTH_EXEC_PTY", pty.slave().toString());
      }
      Process process;
      try {
        process = pb.start();
      } catch (IOException startFailed) {
        if (pty != null) {
          pty.close();
        }
        throw startFailed;
      }
      ExecSession session = new ExecSession(process, spec, pty, code -> {
        execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, code, "", ""));
        execSessions.remove(execId);
        table.byId(e.containerId()).ifPresent(r -> events.exec(toContainer(r), "exec_die", e, Map.of("exitCode", "" + code)));
      });
      execSessions.put(execId, session);
      events.exec(get(e.containerId()), "exec_start", e, Map.of());
      return session;
    } catch (IOException io) {
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, 126, "", ""));
      throw new BerthException("cannot start exec " + execId + " in container " + e.containerId() + ": "
          + io.getMessage(), io);
    } catch (RuntimeException notStarted) {
      // e.g. an unknown user: the exec ran and failed, as dockerd records it (126), never "running"
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, 126, "", ""));
      throw notStarted;
    }
  }

  /** {@code update}: resources and restart policy (see {@link ContainerUpdater}). */
  public ContainerUpdater updater() {
    return updater;
  }

  OciRuntime runtimeOf(Container c) {
    return conmon(c).runtime();
  }

  void emitted(Container c, String action) {
    events.emit(c, action);
  }

  /** The IDs of the container's execs (inspect's ExecIDs). */
  public List<String> execIds(String containerId) {
    return execs.values().stream().filter(e -> e.containerId().equals(containerId)).map(Exec::id).toList();
  }

  /** Resizes a running exec's terminal (no-op without one, or once it ended). */
  public void resizeExec(String execId, int rows, int cols) {
    exec(execId);
    ExecSession session = execSessions.get(execId);
    if (session == null) {
      return;
    }
    try {
      session.resize(rows, cols);
    } catch (IOException io) {
      throw new BerthException("cannot resize exec " + execId + ": " + io.getMessage(), io);
    }
  }

  /** Marks the exec running; each exec runs once. */
  private Exec claim(String execId) {
    Exec e = exec(execId);
    synchronized (execs) {
      if (e.running() || e.exitCode() != null) {
        throw new BerthException.Conflict("exec " + execId + " has already run");
      }
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), true, null, "", ""));
    }
    return e;
  }

  private ProcessSpec processSpec(Exec e) {
    return processSpec(e, false);
  }

  /** The exec's process: the container's, with the exec's user, cwd, env and command. */
  private ProcessSpec processSpec(Exec e, boolean terminal) {
    Spec spec;
    try {
      spec = SpecJson.read(Files.readAllBytes(dir(e.containerId()).resolve("config.json")), Spec.class);
    } catch (IOException io) {
      throw new UncheckedIOException("cannot read the spec of container " + e.containerId(), io);
    }
    ProcessSpec base = spec.process();
    Path rootfs = dir(e.containerId()).resolve("rootfs");
    User user = e.config().user() == null || e.config().user().isEmpty() ? base.user()
        : Users.resolve(e.config().user(), get(e.containerId()).config().host().groupAdd(), // dockerd: exec -u keeps --group-add
            Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
    List<String> env = new ArrayList<>(base.env());
    for (String kv : e.config().env() == null ? List.<String>of() : e.config().env()) {
      String key = kv.contains("=") ? kv.substring(0, kv.indexOf('=') + 1) : kv + "=";
      env.removeIf(x -> x.startsWith(key));
      env.add(kv);
    }
    String cwd = e.config().workingDir() == null || e.config().workingDir().isEmpty() ? base.cwd()
        : e.config().workingDir();
    return new ProcessSpec(terminal, null, user, e.config().cmd(), env, cwd, base.capabilities(), base.rlimits(),
        base.noNewPrivileges(), base.apparmorProfile(), null);
  }

  /** Stops watching for exits; the containers keep running under conmon (reconciled at next open). */
  public void close() {
    exitWatcher.close();
    try {
      CompletableFuture.allOf(runtimeDeletes.values().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("shutdown: runtime deletes still running: {}", runtimeDeletes.keySet());
    }
    logRotation.close();
    vms.values().forEach(MicroVm::close);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void awaitRuntimeDelete(String id) {
    CompletableFuture<Void> pending = runtimeDeletes.get(id);
    if (pending != null) {
      try {
        pending.join();
      } catch (java.util.concurrent.CompletionException e) {
        // logged when it failed; the start meets any real leftover itself
      }
    }
  }

  private ContainerSpecs.EtcFiles etcFiles(Path dir) {
    return new ContainerSpecs.EtcFiles(dir.resolve("hosts"), dir.resolve("hostname"), dir.resolve("resolv.conf"));
  }

  ReentrantLock lock(String id) {
    return locks.computeIfAbsent(id, k -> new ReentrantLock());
  }

  private void save(Container c, Instant startedAt, Instant finishedAt) {
    ContainerRow r = table.byId(c.id()).orElseThrow(() -> new BerthException.NotFound("No such container: " + c.id()));
    ContainerState s = c.state();
    int pid = s instanceof ContainerState.Running run ? run.pid() : 0;
    int code = s instanceof ContainerState.Exited ex ? ex.exitCode() : 0;
    boolean oom = s instanceof ContainerState.Exited ex && ex.oomKilled();
    String error = s instanceof ContainerState.Exited ex ? ex.error() : "";
    long started = startedAt.equals(Instant.EPOCH) ? r.startedAt() : startedAt.toEpochMilli();
    long finished = finishedAt.equals(Instant.EPOCH) ? r.finishedAt() : finishedAt.toEpochMilli();
    table.updateState(new ContainerRow(r.id(), r.name(), r.imageId(), r.imageRef(), r.created(), r.configJson(),
        s.status(), pid, code, started, finished, oom, error, r.restartCount()));
  }

  Container toContainer(ContainerRow r) {
    ContainerConfig cfg;
    try {
      cfg = JSON.readValue(r.configJson(), ContainerConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException("container " + r.id() + " has an unreadable config", e);
    }
    Instant started = Instant.ofEpochMilli(r.startedAt());
    ContainerState state = switch (r.status()) {
      case "running" -> new ContainerState.Running(r.pid(), started);
      case "paused" -> new ContainerState.Running(r.pid(), started, true);
      case "exited" -> new ContainerState.Exited(r.exitCode(), started, Instant.ofEpochMilli(r.finishedAt()),
          r.oomKilled(), r.error());
      case "removing" -> new ContainerState.Removing();
      default -> new ContainerState.Created();
    };
    return new Container(r.id(), r.name(), r.imageId(), r.imageRef(), Instant.ofEpochMilli(r.created()), cfg, state,
        r.restartCount());
  }

  private static String newId() {
    byte[] b = new byte[32];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    if (Mounts.isMountPoint(dir.resolve("rootfs"))) {
      return; // never delete through a mounted rootfs into the image layers
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
