package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.runtime.Conmon;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.DockerSeccompProfile;
import dev.berth.engine.runtime.OciRuntime;
import dev.berth.engine.runtime.ProbedRuntime;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.state.ContainerTable;
import dev.berth.engine.state.ContainerTable.ContainerRow;
import dev.berth.engine.sys.KernelAbi;
import dev.berth.engine.sys.ProcLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container lifecycle: create, start, stop, kill, pause, restart, remove, rename, list, find.
 * Its other capabilities live beside it and share a {@link ContainerStore}: {@link ContainerExits}
 * (the exit path and waits), {@link ContainerExecs}, {@link ContainerAttach},
 * {@link ContainerRootfs} and the {@link ContainerReconciler} run at open. conmon supervises each
 * container, so containers outlive berthd; the database row is the truth for everything else.
 *
 * <p>Files: {@code <data-root>/containers/<id>/} holds config.json (the bundle), rootfs (the
 * overlay mount point), upper, work, hosts, hostname, resolv.conf and ctr.log (conmon's k8s-file
 * log). The rootfs is mounted at start and unmounted when the process exits.
 */
public final class ContainerService {
  private static final Logger log = LoggerFactory.getLogger(ContainerService.class);

  private final ContainerStore store;
  private final ContainerTable table;
  private final ImageService images;
  private final List<ProbedRuntime> probed;
  private final Map<String, Conmon> conmons;
  private final String defaultRuntime;
  private final Path initBinary;
  private final Clock clock;
  private final long hostNofileHard;
  private final List<String> hostCaps;
  /** The default seccomp profile: Debian's containers-common one (Docker's, slightly looser). */
  private final Optional<DockerSeccompProfile> defaultSeccomp;
  private final ContainerMounts mounts;
  private final ContainerEvents events;
  private final ContainerRootfs rootfs;
  private final ContainerUserns userns;
  private final ContainerExits exits;
  private final ContainerAttach attach;
  private final ContainerExecs execs;
  private final SupervisionTimers timers = new SupervisionTimers();
  private final RestartSupervisor restarts;
  private final HealthMonitor health;
  private final ContainerPauses pauses;
  private final ContainerMetrics metrics;
  private final ContainerUpdater updater;
  private final RuntimeCreates runtimeCreates;
  private final CreatesAhead createsAhead;
  /** What an owner of some containers (the pods) changes in their spec at start; nothing by default. */
  private volatile SpecHook specHook = (c, spec) -> spec;
  /** Runs --isolation=vm containers; the store holds the running ones (instead of a conmon process). */
  private final MicroVmRuntime microVms;

  /**
   * @param probed every runtime the start-up probe tried; usable ones can run containers
   * @param preferred the daemon's --default-runtime, or empty for the first usable one
   * @param conmonBinary conmon's path, or null when it is not installed (start then fails with 503)
   */
  public ContainerService(EngineConfig config, ContainerTable table, ImageService images, List<ProbedRuntime> probed,
      Optional<String> preferred, Path conmonBinary, Path initBinary, Clock clock,
      dev.berth.engine.volume.VolumeService volumes, MicroVmRuntime microVms) {
    this.microVms = microVms;
    this.table = table;
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
    Map<String, Conmon> usable = new LinkedHashMap<>();
    if (conmonBinary != null) {
      for (ProbedRuntime r : probed) {
        if (r.usable()) {
          usable.put(r.name(), new Conmon(conmonBinary, OciRuntime.of(r.name(), r.path(), config), config.execRoot()));
        }
      }
    }
    this.conmons = java.util.Collections.unmodifiableMap(usable);
    if (preferred.isPresent() && !conmons.containsKey(preferred.get())) {
      log.warn("--default-runtime {} is not usable here ({}); using {}", preferred.get(),
          probed.stream().filter(p -> p.name().equals(preferred.get())).map(ProbedRuntime::reason).findFirst()
              .orElse("not installed"), conmons.keySet().stream().findFirst().orElse("none"));
    }
    this.defaultRuntime = preferred.filter(conmons::containsKey)
        .orElse(conmons.keySet().stream().findFirst().orElse(null));
    this.store = new ContainerStore(config, table, clock, events, probed, conmons, defaultRuntime,
        new ContainerNetworks(null, images));
    images.setUsage(digest -> table.imageInUse(digest.toString()));
    this.mounts = new ContainerMounts(volumes);
    volumes.setUsage(name -> ContainerMounts.users(list(), name));
    this.userns = new ContainerUserns(Optional.ofNullable(config.remapping()), config.dataRoot());
    this.rootfs = new ContainerRootfs(store, images, userns);
    this.exits = new ContainerExits(store, rootfs, this::afterExit);
    this.attach = new ContainerAttach(store);
    this.execs = new ContainerExecs(store);
    this.restarts = new RestartSupervisor(store, timers, this::startForPolicy);
    this.health = new HealthMonitor(store, execs, timers);
    this.pauses = new ContainerPauses(store);
    store.healthOf = id -> health.health(id).orElse(null);
    this.metrics = new ContainerMetrics(store);
    this.updater = new ContainerUpdater(store, ContainerUpdater.Host.probe());
    this.runtimeCreates = new RuntimeCreates(store, exits, rootfs, mounts, userns,
        new RuntimeCreates.Host(initBinary, hostNofileHard, hostCaps, defaultSeccomp), () -> specHook);
    this.createsAhead = new CreatesAhead(store, runtimeCreates);
  }

  /**
   * Does a created container's start work up to the runtime's create in the background (CRI's
   * CreateContainer), so its start only lets the process run (decision 2800).
   */
  public void createAhead(String id) {
    createsAhead.begin(id);
  }

  /** Drops a create run ahead; the container stays created and its start does the work again. */
  public void dropCreateAhead(String id) {
    if (!createsAhead.has(id)) {
      return;
    }
    ReentrantLock lock = store.lock(id);
    lock.lock();
    try {
      createsAhead.drop(id);
    } finally {
      lock.unlock();
    }
  }

  /** {@code update}: resources and restart policy (see {@link ContainerUpdater}). */
  public ContainerUpdater updater() {
    return updater;
  }

  /** Exit waits and the exit path. */
  public ContainerExits exits() {
    return exits;
  }

  /** Exec sessions in running containers. */
  public ContainerExecs execs() {
    return execs;
  }

  /** Attaching to a container's stdio and sizing its terminal. */
  public ContainerAttach attach() {
    return attach;
  }

  /** Freezing and thawing containers. */
  public ContainerPauses pauses() {
    return pauses;
  }

  /** Resource use, for stats. */
  public ContainerMetrics metrics() {
    return metrics;
  }

  /** File access to a container's rootfs (archive, export, commit). */
  public ContainerRootfs rootfs() {
    return rootfs;
  }

  /**
   * After a (re)start of berthd: re-attaches the running containers, records the exits that
   * happened meanwhile, finishes cut-short removals.
   */
  public void reconcile() {
    new ContainerReconciler(store, exits, rootfs, microVms, this::removeQuietly).reconcile();
    for (Container c : list()) {
      health.resume(c);
    }
    restarts.onDaemonStart(list());
  }

  /** A recorded exit: AutoRemove containers go. */
  private void afterExit(Container exited) {
    health.stop(exited.id());
    if (restarts.exited(exited)) {
      createsAhead.begin(exited.id()); // the back-off's time does the restart's create (decision 3000)
      return;
    }
    if (exited.config().autoRemove()) {
      removeQuietly(exited.id());
    }
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
  /** Lets {@code hook} change every container's spec at start (pods: cgroup parent, masked paths). */
  public void useSpecHook(SpecHook hook) {
    this.specHook = hook;
  }

  public void useNetworks(dev.berth.engine.network.NetworkService service) {
    store.useNetworks(new ContainerNetworks(service, images));
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

  /** Whether the default runtime takes {@code option} on a mount (e.g. "rro"); false without one. */
  public boolean defaultRuntimeTakesMountOption(String option) {
    Conmon c = defaultRuntime == null ? null : conmons.get(defaultRuntime);
    return c != null && c.runtime().supportsMountOption(option);
  }

  // ---- create ----------------------------------------------------------------------------

  /** Creates a container (state created); its rootfs is mounted at start. */
  public Container create(String name, ContainerConfig requested) {
    String n = name == null || name.isBlank()
        ? ContainerNames.generateUnused(candidate -> table.byName(candidate).isPresent())
        : ContainerNames.validate(name);
    ContainerCreateRules.validateLimits(requested);
    VmIsolation.validate(requested);
    requested = HostOptionsCheck.check(requested, this::find);
    Image image = images.find(requested.image());
    ContainerConfig merged = ContainerCreateRules.merge(requested, image.config().config());
    if (merged.args().isEmpty()) {
      throw new BerthException.InvalidArgument("No command specified");
    }
    String id = ContainerStore.newId();
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
    userns.check(merged);
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
      if (VmIsolation.isVm(merged)) {
        VmMounts.checkSources(id.substring(0, 12), merged.storage().mountPoints()); // 400 before anything is made
      }
      Files.createDirectories(dir.resolve("rootfs"));
      Files.createDirectories(dir.resolve("upper"));
      Files.createDirectories(dir.resolve("work"));
      ContainerCreateRules.writeEtcFiles(dir, merged, store.networks().hostGateway());
      userns.prepare(dir, merged);
      Instant now = clock.instant();
      ContainerRow row = new ContainerRow(id, n, image.id().toString(), requested.image(), now.toEpochMilli(),
          ContainerStore.JSON.writeValueAsString(merged), "created", 0, 0, 0, 0, false, "", 0);
      if (!table.insert(row)) {
        throw new BerthException.Conflict("Conflict. The container name \"/" + n + "\" is already in use by container \""
            + table.byName(n).map(ContainerRow::id).orElse("?") + "\". You have to remove (or rename) that container"
            + " to be able to reuse that name.");
      }
      try {
        store.networks().join(id, n, merged, this::find);
      } catch (RuntimeException e) {
        store.networks().forget(id);
        table.delete(id);
        throw e;
      }
      mounts.done(id);
      log.info("container {} created ({}, image {})", id.substring(0, 12), n, image.shortId());
      return events.emitted(store.toContainer(row), "create");
    } catch (IOException e) {
      ContainerStore.deleteTree(dir);
      mounts.undo(id, storage);
      throw new UncheckedIOException("cannot prepare container directory " + dir, e);
    } catch (RuntimeException e) {
      ContainerStore.deleteTree(dir);
      mounts.undo(id, storage);
      throw e;
    }
  }

  // ---- start -----------------------------------------------------------------------------

  /** Starts a created or exited container; false when it already runs (Docker's 304). */
  public boolean start(String nameOrId) {
    return start(nameOrId, true);
  }

  /** The restart policy's start of a restarting container; nothing when it no longer restarts. */
  private void startForPolicy(String id) {
    start(id, false);
  }

  private boolean start(String nameOrId, boolean byHand) {
    Container c = find(nameOrId);
    createsAhead.awaitDone(c.id()); // a create run ahead (decision 2800) holds the lock while it works
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    try {
      c = get(c.id());
      Optional<RuntimeCreates.Created> ahead = createsAhead.take(c);
      if (c.running() || !byHand && !(c.state() instanceof ContainerState.Restarting)) {
        if (ahead.isPresent()) {
          runtimeCreates.discard(c.id(), ahead.get()); // not started: nothing kept
        }
        return false;
      }
      if (byHand) {
        restarts.startedByHand(c);
      }
      if (VmIsolation.isVm(c.config())) {
        startVm(c);
        return true;
      }
      if (ahead.isPresent() && !ahead.get().process().conmonRunning()) {
        runtimeCreates.discard(c.id(), ahead.get()); // its init died before the start: create again
        ahead = Optional.empty();
      }
      long t0 = System.nanoTime();
      RuntimeCreates.Created created = ahead.orElse(null);
      try {
        if (created == null) {
          created = runtimeCreates.create(c);
        }
        created.network().ready(); // CNI ADD ran beside the create; the interfaces are in before the process starts
        attach.connectPending(c.id(), created.process()::attach);
        created.process().start();
      } catch (RuntimeException e) {
        failStart(c, created == null ? null : created.process(), e);
        throw StartFailures.asApiError(e);
      } finally {
        if (created != null) {
          created.close();
        }
      }
      ContainerProcess process = created.process();
      Instant now = clock.instant();
      Container running = c.withState(new ContainerState.Running(process.pid(), now));
      store.save(running, now, Instant.EPOCH);
      store.processes.put(c.id(), process);
      exits.watch(c, process);
      long tStart = System.nanoTime();
      log.info("container {} started (pid {})", c.shortId(), process.pid());
      events.emit(running, "start");
      health.started(running);
      log.debug("container {} start took {} ms{}: mount {}, spec+bundle {}, conmon+create {}", c.shortId(),
          (tStart - t0) / 1_000_000, ahead.isPresent() ? " (created ahead, times of that create)" : "",
          created.mountMillis(), created.bundleMillis(), created.createMillis());
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
      microVms.lookUpAssetsAhead(); // beside the network and rootfs work below
      // The namespace now and CNI in the background, while the rootfs is mounted.
      ContainerNetworks.Start attaching = store.networks().attach(c, dir, this::find);
      rootfs.mount(c);
      Path rootfs = dir.resolve("rootfs");
      mounts.populate(c.config().storage(), rootfs);
      var guestMounts = VmMounts.forGuest(c.shortId(), c.config().storage().mountPoints(), rootfs);
      User user = Users.resolve(c.config().user(), c.config().host().groupAdd(), Users.readEtc(rootfs, "passwd"),
          Users.readEtc(rootfs, "group"));
      Optional<MicroVmRuntime.Network> network = VmNetworks.ready(store.networks(), attaching, c);
      vm = microVms.launch(c.id(), dir, rootfs, VmIsolation.guestCommand(c.config(), user),
          new MicroVmRuntime.EtcFiles(dir.resolve("hosts"), dir.resolve("hostname"), dir.resolve("resolv.conf")),
          c.config().memory(), c.config().nanoCpus(), logPath(c.id()), network, guestMounts,
          new MicroVmRuntime.Stdio(c.config().tty(), c.config().openStdin(), c.config().stdinOnce()),
          VmIsolation.mayLoadBpf(c.config()));
      attach.connectPending(c.id(), vm::attach);
    } catch (RuntimeException e) {
      if (vm != null) {
        vm.destroy();
      }
      failStart(c, null, e);
      throw StartFailures.asApiError(e);
    }
    Instant now = clock.instant();
    Container running = c.withState(new ContainerState.Running((int) vm.pid(), now));
    store.save(running, now, Instant.EPOCH);
    exits.follow(c.id(), vm);
    events.emit(running, "start");
    health.started(running); // its checks run through the guest's agent (ContainerExecs.probe)
  }
  private void failStart(Container c, ContainerProcess process, RuntimeException e) {
    if (process != null) {
      process.delete();
    }
    attach.failPending(c.id(), e);
    store.networks().detach(c.id());
    rootfs.unmount(c.id());
    int code = StartFailures.exitCode(e.getMessage());
    Instant now = clock.instant();
    store.save(c.withState(new ContainerState.Exited(code, Instant.EPOCH, now, false, String.valueOf(e.getMessage()))),
        Instant.EPOCH, now);
    exits.completeExit(c.id(), code);
    log.info("container {} failed to start: {}", c.shortId(), e.getMessage());
    events.emit(c, "die", Map.of("exitCode", Integer.toString(code)));
    if (c.config().autoRemove()) {
      Thread.ofVirtual().start(() -> removeQuietly(c.id()));
    }
  }

  /** Publishes the container's events (for commit, export and copies, which live in their own classes). */
  public ContainerEvents events() {
    return events;
  }

  // ---- stop, kill, restart -----------------------------------------------------------------

  /** Sends the stop signal, then SIGKILL after {@code timeout}; false when it was not running (304). */
  public boolean stop(String nameOrId, Optional<Duration> timeout) {
    Container c = find(nameOrId);
    if (c.state() instanceof ContainerState.Restarting) {
      restarts.stoppedByHand(c);
      dropCreateAhead(c.id());
      events.emit(c, "stop");
      return true;
    }
    if (!c.running()) {
      return false;
    }
    restarts.stoppedByHand(c);
    CompletableFuture<Integer> exit = exits.exitFuture(c.id());
    if (!get(c.id()).running()) {
      return true; // exited between our look and the registration
    }
    Duration grace = timeout.orElse(Duration.ofSeconds(c.config().stopTimeout() == null ? 10 : c.config().stopTimeout()));
    signal(c, Signals.parse(c.config().stopSignal()));
    if (!awaitQuietly(exit, grace)) {
      log.info("container {} did not stop within {}s: killing it", c.shortId(), grace.toSeconds());
      try {
        signal(c, 9);
      } catch (BerthException.Conflict ended) {
        // it ended after the stop signal and its exit was recorded meanwhile: the wait below sees it
      }
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
    // As dockerd 20.10: any kill counts as a manual stop (the policy will not restart it), and a
    // restarting container just stops restarting.
    if (c.state() instanceof ContainerState.Restarting) {
      restarts.stoppedByHand(c);
      dropCreateAhead(c.id());
      return;
    }
    if (!c.running()) {
      throw new BerthException.Conflict("Cannot kill container: " + nameOrId + ": Container " + c.id()
          + " is not running");
    }
    restarts.stoppedByHand(c);
    signal(c, sig);
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
    MicroVm vm = store.vms.get(c.id());
    if (vm != null) {
      vm.signal(sig);
      return;
    }
    ContainerProcess p = store.processes.get(c.id());
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
    Container now = table.byId(c.id()).map(store::toContainer).orElse(c);
    if (ending && now.paused()) {
      ReentrantLock lock = store.lock(c.id());
      lock.lock();
      try {
        if (get(c.id()).paused()) {
          pauses.resume(get(c.id()));
        }
      } catch (BerthException.NotFound gone) {
        // removed meanwhile
      } finally {
        lock.unlock();
      }
    }
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

  // ---- remove, rename, prune -----------------------------------------------------------------

  /** Docker's {@code rm --link /PARENT/ALIAS}: the parent forgets the link; both containers stay. */
  public void removeLink(String linkName) {
    String parentName = ContainerLinks.parentOf(linkName);
    Container parent;
    try {
      parent = find(parentName);
    } catch (BerthException.NotFound e) {
      throw new BerthException.NotFound("Cannot get parent /" + parentName + " for link name " + linkName);
    }
    ReentrantLock lock = store.lock(parent.id());
    lock.lock();
    try {
      ContainerConfig changed = ContainerLinks.without(store.get(parent.id()).config(), parent.name(), linkName);
      table.updateConfig(parent.id(), ContainerStore.JSON.writeValueAsString(changed));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  public void remove(String nameOrId, boolean force) {
    remove(nameOrId, force, false);
  }

  /** As Docker's rm; {@code removeVolumes} (rm -v) also removes the container's anonymous volumes. */
  public void remove(String nameOrId, boolean force, boolean removeVolumes) {
    Container c = find(nameOrId);
    if (c.state() instanceof ContainerState.Restarting) {
      if (!force) {
        throw new BerthException.Conflict("You cannot remove a restarting container " + c.id()
            + ". Stop the container before attempting removal or force remove");
      }
      restarts.stoppedByHand(c);
      c = get(c.id());
    }
    if (c.running()) {
      if (!force) {
        throw new BerthException.Conflict("You cannot remove a running container " + c.id()
            + ". Stop the container before attempting removal or force remove");
      }
      // The future exists before the look, so an exit recorded after it completes the future.
      CompletableFuture<Integer> exit = exits.exitFuture(c.id());
      if (get(c.id()).running()) {
        try {
          signal(c, 9);
        } catch (BerthException.Conflict ending) {
          // It died on its own and its exit is being recorded right now: wait for that.
        }
        awaitQuietly(exit, Duration.ofSeconds(30));
      } else {
        exits.forgetExitFuture(c.id(), exit);
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
    ReentrantLock lock = store.lock(id);
    lock.lock();
    int code;
    try {
      Optional<ContainerRow> row = table.byId(id);
      if (row.isEmpty()) {
        return;
      }
      code = row.get().exitCode();
      createsAhead.drop(id);
      ContainerProcess p = store.processes.remove(id);
      MicroVm vm = store.vms.remove(id);
      if (vm != null) {
        vm.destroy();
      } else if (VmIsolation.isVm(store.toContainer(row.get()).config())) {
        microVms.destroyLeftover(id, dir(id), logPath(id));
      } else if (p != null) {
        p.delete();
      } else if (exits.runtimeDeleteRunning(id)) {
        // the exit's runtime delete is under way; it touches nothing removed here
      } else {
        try {
          store.conmon(store.toContainer(row.get())).reattach(id).delete();
        } catch (BerthException.NotFound | BerthException.Unavailable nothingLeft) {
          // never started, or cleaned up at exit
        }
      }
      rootfs.unmount(id);
      store.networks().forget(id);
      attach.failPending(id, new BerthException.NotFound("container " + id + " was removed"));
      ContainerStore.deleteTreeSoon(dir(id));
      table.delete(id);
      mounts.release(store.toContainer(row.get()).config().storage(), removeVolumes);
      events.emit(store.toContainer(row.get()), "destroy");
      execs.forget(id);
      restarts.forget(id);
      health.forget(id);
      log.info("container {} removed", id.substring(0, 12));
    } finally {
      lock.unlock();
      store.forgetLock(id);
    }
    exits.completeRemoved(id, code);
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
      if (!c.running() && !(c.state() instanceof ContainerState.Restarting) && filter.test(c)) {
        removeQuietly(c.id(), false);
        gone.add(c.id());
      }
    }
    return gone;
  }

  // ---- queries -------------------------------------------------------------------------------

  public List<Container> list() {
    return store.list();
  }

  /** By full ID, name (with or without "/"), or unique ID prefix; 404 otherwise. */
  public Container find(String nameOrId) {
    return store.find(nameOrId);
  }

  private Container get(String id) {
    return store.get(id);
  }

  public Path logPath(String id) {
    return store.logPath(id);
  }

  /** The container's directory (bundle, upper dir, rootfs mount point). */
  public Path dir(String id) {
    return store.dir(id);
  }

  /** Host pids of the container's processes (for top). */
  public List<Integer> pids(String nameOrId) {
    Container c = find(nameOrId);
    if (!c.running()) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    MicroVm vm = store.vms.get(c.id());
    if (vm != null) {
      return List.of((int) vm.pid()); // the guest's processes are inside QEMU
    }
    return store.conmon(c).runtime().ps(c.id());
  }

  /** Stops watching for exits; the containers keep running under conmon (reconciled at next open). */
  public void close() {
    exits.close();
    timers.close();
    execs.close();
    store.vms.values().forEach(MicroVm::close);
  }
}
