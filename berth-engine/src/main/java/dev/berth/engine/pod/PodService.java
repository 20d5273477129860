package dev.berth.engine.pod;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerExecs;
import dev.berth.engine.container.ContainerExits;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerState;
import dev.berth.engine.container.ContainerUpdate;
import dev.berth.engine.events.Event;
import dev.berth.engine.events.EventBus;
import dev.berth.engine.events.EventFilter;
import dev.berth.engine.image.ImageImporter;
import dev.berth.engine.image.ImageService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The engine side of Kubernetes' CRI (reached as {@code Engine.pods()}): pod sandboxes and their
 * containers. A sandbox is an infra container holding the pod's namespaces; pod containers are
 * Berth containers joined to it, so {@code berth ps -a} lists both with their Kubernetes labels.
 * IDs are Berth container IDs (the sandbox ID is its infra container's), so exec, attach and
 * logs of the container package work on them unchanged. Missing sandboxes or containers are
 * {@link BerthException.NotFound}; stop and remove are idempotent.
 */
public final class PodService implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PodService.class);
  /** How long ExecSync waits when kubelet gives no timeout. */
  private static final Duration NO_TIMEOUT = Duration.ofDays(365);

  private final ContainerService containers;
  private final PodRecords records;
  private final SandboxNetwork network;
  private final PauseImage pause;
  private final PodStats stats;
  private final SandboxShm shm;
  private final SandboxNamespaces namespaces;
  private final SandboxTeardown teardown;
  private final PodEvents events = new PodEvents();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean pauseRequested = new java.util.concurrent.atomic.AtomicBoolean();
  private final EventBus.Subscription exits;
  private final Thread exitReader;

  public PodService(EngineConfig config, ContainerService containers, ImageService images, ImageImporter importer) {
    this.containers = containers;
    Path root = config.dataRoot().resolve("pods");
    this.records = new PodRecords(root);
    this.network = new SandboxNetwork(config.podNetwork(), config.execRoot().resolve("pods").resolve("netns"),
        root.resolve("ipam"));
    this.pause = new PauseImage(images, importer);
    this.stats = new PodStats(records, new PodStatistics(containers), this::containersById, this::infraOf);
    this.shm = new SandboxShm(config.execRoot().resolve("pods").resolve("shm"));
    this.namespaces = new SandboxNamespaces(config.execRoot().resolve("pods"),
        config.execRoot().resolve("pods").resolve("netns"));
    this.teardown = new SandboxTeardown(records, network, namespaces, shm);
    containers.useSpecHook(new PodSpecHook(records, containers::dir, shm));
    reconcile();
    this.exits = images.events().subscribe(null, new EventFilter(Map.of("type", List.of("container"),
        "event", List.of("die"), "label", List.of(PodLabels.SANDBOX))));
    this.exitReader = Thread.ofVirtual().name("pod-exits").start(this::readExits);
  }

  // ---- sandboxes ----------------------------------------------------------------------------

  /**
   * Creates and starts a sandbox; answers its ID. Nothing is left behind when it fails. A pod
   * whose containers share a PID namespace gets an infra container (catatonit as the pod's PID 1,
   * decision 1000); any other pod is only its namespaces, pinned by Berth (decision 2100).
   */
  public String runSandbox(SandboxSpec spec) {
    if (spec.metadata().name().isEmpty()) {
      throw new BerthException.InvalidArgument("a pod sandbox needs a name (metadata.name)");
    }
    return spec.linux().security().namespaces().pid() == NamespaceMode.POD ? runWithInfra(spec) : runPinned(spec);
  }

  /** Namespaces made and bound by Berth, then CNI ADD: no process runs until the first container. */
  private String runPinned(SandboxSpec spec) {
    long t0 = System.nanoTime();
    String id = HexFormat.of().formatHex(randomBytes());
    ReentrantLock lock = lock(id);
    lock.lock();
    try {
      SandboxRecord r = new SandboxRecord(id, spec, nanos(Instant.now()), "", null, false, "", List.of(), true, "", "",
          false);
      synchronized (records) { // the name is the pod's identity, as the infra container's name is
        String name = PodLabels.sandboxName(spec.metadata());
        for (SandboxRecord other : records.sandboxes()) {
          if (PodLabels.sandboxName(other.spec().metadata()).equals(name)) {
            throw new BerthException.Conflict("pod sandbox " + name + " already exists as " + other.id()
                + ": remove it first, or use a new attempt number");
          }
        }
        records.save(r); // first: after a crash, open() finds the record and frees what it names
      }
      try {
        if (spec.linux().security().namespaces().ipc() != NamespaceMode.NODE) {
          shm.create(id);
        }
        SandboxNamespaces.Bound b = namespaces.pin(id, spec);
        r = new SandboxRecord(id, spec, r.createdNanos(), str(b.net()), null, false, "", List.of(), true,
            str(b.ipc()), str(b.uts()), false);
        records.save(r);
        long tPinned = System.nanoTime();
        if (!r.hostNetwork()) {
          SandboxNetwork.Attachment a = network.add(id, b.net(), spec);
          r = r.withNetwork(a.confList(), true, a.ip(), a.additionalIps());
          records.save(r);
        }
        long tReady = System.nanoTime();
        log.info("pod sandbox {} ({}/{}) ready in {} ms (namespaces {} ms, network {} ms)", id.substring(0, 12),
            spec.metadata().namespace(), spec.metadata().name(), (tReady - t0) / 1_000_000, (tPinned - t0) / 1_000_000,
            (tReady - tPinned) / 1_000_000);
        return id;
      } catch (RuntimeException e) {
        namespaces.unpin(SandboxNamespaces.of(r));
        shm.remove(id);
        quietly(() -> records.deleteSandbox(id));
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static String str(Path p) {
    return p == null ? "" : p.toString();
  }

  private String runWithInfra(SandboxSpec spec) {
    long t0 = System.nanoTime();
    String image = pause.ensure();
    Container infra = containers.create(PodLabels.sandboxName(spec.metadata()), SandboxConfigs.infra(spec, image));
    String id = infra.id();
    ReentrantLock lock = lock(id);
    lock.lock();
    try {
      SandboxRecord r = new SandboxRecord(id, spec, nanos(Instant.now()), "", null, false, "", List.of());
      records.save(r); // before the start: the spec hook reads it
      if (spec.linux().security().namespaces().ipc() != NamespaceMode.NODE) {
        shm.create(id);
      }
      containers.start(id);
      long tStarted = System.nanoTime();
      if (!r.hostNetwork()) {
        int pid = ((ContainerState.Running) containers.find(id).state()).pid();
        SandboxNetwork.Attachment a = network.attach(id, pid, spec);
        records.save(new SandboxRecord(id, spec, r.createdNanos(), a.netns().toString(), a.confList(), true, a.ip(),
            a.additionalIps()));
      }
      long tReady = System.nanoTime();
      log.info("pod sandbox {} ({}/{}) ready in {} ms (infra container {} ms, network {} ms)", id.substring(0, 12),
          spec.metadata().namespace(), spec.metadata().name(), (tReady - t0) / 1_000_000, (tStarted - t0) / 1_000_000,
          (tReady - tStarted) / 1_000_000);
      return id;
    } catch (RuntimeException e) {
      quietly(() -> containers.remove(id, true));
      shm.remove(id);
      quietly(() -> records.deleteSandbox(id));
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the sandbox's containers and its infra container, frees its network; idempotent, also
   * for unknown IDs. A sandbox without an infra container answers once its containers are stopped
   * (it is NOTREADY from then on); its CNI DEL and namespaces are freed right after on a thread of
   * their own, which the sandbox's next stop or removal waits for (decision 3200).
   */
  public void stopSandbox(String sandboxId) {
    Optional<SandboxRecord> found = records.resolveSandbox(sandboxId);
    if (found.isEmpty()) {
      return;
    }
    String id = found.get().id();
    ReentrantLock lock = lock(id);
    lock.lock();
    try {
      Optional<SandboxRecord> current = records.sandbox(id);
      if (current.isEmpty()) {
        return; // removed meanwhile
      }
      SandboxRecord r = current.get();
      if (r.pinned()) {
        stopPinned(r, lock);
        return;
      }
      // Every step runs even when one before it failed, so the network and the mounts are freed.
      // The containers are killed side by side, and CNI's DEL (it needs only the network namespace
      // file) runs while they and the infra container are killed: all are done before the return.
      List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> stops = stopContainersOf(id, failures);
      Thread del = Thread.ofVirtual().start(() -> CleanupSteps.collect(failures, () -> {
        if (r.networkUp() || !r.netns().isEmpty()) {
          network.detach(r);
          records.save(r.withNetworkDown());
        }
      }));
      CleanupSteps.collect(failures, () -> halt(id, Duration.ZERO));
      CleanupSteps.joinAll(stops);
      CleanupSteps.joinAll(List.of(del));
      shm.remove(id);
      if (!failures.isEmpty()) {
        throw failures.getFirst();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Each of the sandbox's containers stopped (SIGKILL) on a thread of its own; failures go to {@code failures}. */
  private List<Thread> stopContainersOf(String id, List<RuntimeException> failures) {
    List<Thread> stops = new ArrayList<>();
    for (ContainerRecord c : records.containersOf(id)) {
      stops.add(Thread.ofVirtual().start(
          () -> CleanupSteps.collect(failures, () -> stopContainer(c.id(), Duration.ZERO))));
    }
    return stops;
  }

  /**
   * Stops a sandbox without an infra container, under its {@code lock}: the containers before the
   * answer and the record marked stopped (NOTREADY, no IP) with its teardown due, which then runs
   * on a thread that takes the lock in turn. Kubelet needs only the containers stopped to go on;
   * the DEL (CNI's bridge: 30–70 ms here) overlaps its next call. A stop of a sandbox whose
   * teardown is still due (running, failed, or cut by a crash) does it here.
   */
  private void stopPinned(SandboxRecord r, ReentrantLock lock) {
    String id = r.id();
    if (r.stopped()) {
      teardown.finish(id);
      return;
    }
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    CleanupSteps.joinAll(stopContainersOf(id, failures));
    records.save(r.withStoppedBeforeTeardown());
    if (!failures.isEmpty()) {
      // a container would not stop: the rest freed, then the error
      CleanupSteps.collect(failures, () -> teardown.finish(id));
      throw failures.getFirst();
    }
    if (r.spec().portMappings().stream().anyMatch(m -> m.hostPort() > 0)) {
      teardown.finish(id); // a host port is the host's: freed before the answer, for a next pod that claims it
      return;
    }
    teardown.inBackground(id, lock);
  }

  /** Removes the sandbox and its containers (stopping them first); idempotent, also for unknown IDs. */
  public void removeSandbox(String sandboxId) {
    Optional<SandboxRecord> found = records.resolveSandbox(sandboxId);
    if (found.isEmpty()) {
      return;
    }
    String id = found.get().id();
    stopSandbox(id);
    ReentrantLock lock = lock(id);
    lock.lock();
    try {
      teardown.finish(id); // the stop's teardown, if this removal took the lock before it
      for (ContainerRecord c : records.containersOf(id)) {
        removeContainer(c.id());
      }
      for (Container c : containers.list()) {
        if (id.equals(c.config().labels().get(PodLabels.SANDBOX))) {
          quietly(() -> containers.remove(c.id(), true)); // one whose record was lost
        }
      }
      if (!found.get().pinned()) {
        try {
          containers.remove(id, true);
        } catch (BerthException.NotFound gone) {
          // already
        }
      }
      records.deleteSandbox(id);
      log.info("pod sandbox {} removed", id.substring(0, 12));
    } finally {
      lock.unlock();
      locks.remove(id);
    }
  }

  public SandboxStatus sandboxStatus(String sandboxId) {
    SandboxRecord r = records.requireSandbox(sandboxId);
    if (r.pinned()) {
      return status(r, null);
    }
    Container infra = infraOf(r).orElseThrow(() -> PodRecords.sandboxNotFound(sandboxId));
    return status(r, infra);
  }

  public List<PodSandbox> listSandboxes(SandboxFilter filter) {
    Map<String, Container> byId = containersById();
    List<PodSandbox> out = new ArrayList<>();
    for (SandboxRecord r : records.sandboxes()) {
      Container infra = byId.get(r.id());
      if (infra == null && !r.pinned() || filter.id().isPresent() && !r.id().startsWith(filter.id().get())
          || !PodLabels.matches(r.spec().labels(), filter.labelSelector())) {
        continue;
      }
      PodSandbox s = status(r, infra).summary();
      if (filter.state().isEmpty() || filter.state().get() == s.state()) {
        out.add(s);
      }
    }
    out.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    return out;
  }

  /** {@code infra} is null for a sandbox without an infra container. */
  private SandboxStatus status(SandboxRecord r, Container infra) {
    SandboxState state = infra == null ? PodStates.pinnedState(r) : PodStates.sandboxState(infra, r);
    String ip = networkReady(r) ? r.ip() : "";
    Map<String, String> info = new HashMap<>();
    if (infra != null) {
      info.put("infraContainer", infra.name());
    }
    if (infra != null && infra.state() instanceof ContainerState.Running run) {
      info.put("pid", Integer.toString(run.pid()));
    }
    if (!r.netns().isEmpty()) {
      info.put("netns", r.netns());
    }
    return new SandboxStatus(r.id(), r.spec().metadata(), state, instant(r.createdNanos()), ip,
        networkReady(r) ? r.additionalIps() : List.of(), r.spec().linux().security().namespaces(), r.spec().labels(),
        r.spec().annotations(), r.spec().runtimeHandler(), Map.copyOf(info));
  }

  // ---- containers ---------------------------------------------------------------------------

  /** Creates (not starts) a container in the sandbox; answers its ID. */
  public String createContainer(String sandboxId, PodContainerSpec spec, SandboxSpec sandboxSpec) {
    SandboxRecord sandbox = records.requireSandbox(sandboxId);
    if (spec.metadata().name().isEmpty()) {
      throw new BerthException.InvalidArgument("a container needs a name (metadata.name)");
    }
    if (spec.image().isEmpty()) {
      throw new BerthException.InvalidArgument("a container needs an image (image.image)");
    }
    SandboxSpec pod = sandbox.spec().logDirectory().isEmpty() && sandboxSpec != null ? sandboxSpec : sandbox.spec();
    String logPath = PodContainerConfigs.logPath(pod, spec);
    createHostDirs(spec);
    if (!spec.security().apparmor().type().equals(SecurityProfile.Type.RUNTIME_DEFAULT)
        || !spec.security().apparmor().localhostRef().isEmpty()) {
      log.info("container {} of pod {}: AppArmor profile {} ignored: this host has no AppArmor", spec.metadata().name(),
          sandbox.spec().metadata().name(), spec.security().apparmor());
    }
    Container c = containers.create(PodLabels.containerName(sandbox.spec().metadata(), spec.metadata()),
        PodContainerConfigs.config(sandbox.id(), sandbox.spec(), spec, logPath, sandbox.pinned()));
    try {
      records.save(new ContainerRecord(c.id(), sandbox.id(), spec, logPath, spec.resources(), spec.annotations()));
    } catch (RuntimeException e) {
      quietly(() -> containers.remove(c.id(), true));
      throw e;
    }
    publish(c.id(), sandbox.id(), PodContainerEvent.Type.CREATED);
    containers.createAhead(c.id()); // conmon and runc create overlap the client's way to StartContainer (decision 2800)
    return c.id();
  }

  public void startContainer(String containerId) {
    ContainerRecord r = records.requireContainer(containerId);
    if (!containers.start(r.id())) {
      throw new BerthException.Conflict("container " + r.id() + " is already running");
    }
    publish(r.id(), r.sandboxId(), PodContainerEvent.Type.STARTED);
  }

  /** SIGTERM, then SIGKILL after {@code timeout} (zero: SIGKILL at once); idempotent, also for unknown IDs. */
  public void stopContainer(String containerId, Duration timeout) {
    Optional<ContainerRecord> r = records.resolveContainer(containerId);
    if (r.isEmpty()) {
      return;
    }
    halt(r.get().id(), timeout == null || timeout.isNegative() ? Duration.ZERO : timeout);
  }

  /** Stops a Berth container of a pod and waits for its exit; nothing when it is gone or ended. */
  private void halt(String id, Duration grace) {
    long t0 = System.nanoTime();
    java.util.concurrent.CompletableFuture<ContainerExits.WaitResult> ended;
    try {
      containers.dropCreateAhead(id); // a created container's runtime create may hold the pod's namespaces
      ended = containers.exits().waitFor(id, ContainerExits.WaitCondition.NOT_RUNNING); // before any signal
      if (grace.isZero()) {
        if (find(id).map(Container::running).orElse(false)) {
          containers.kill(id, "SIGKILL");
        }
      } else {
        containers.stop(id, Optional.of(grace));
      }
    } catch (BerthException.NotFound gone) {
      return; // removed meanwhile
    } catch (BerthException e) {
      // The process may have ended on its own between the look and the signal (runc then says
      // "container not running"): that is a stop too. Anything else shows as still running.
      if (!awaitExit(id, Duration.ofSeconds(5))) {
        throw e;
      }
      return;
    }
    long signalled = System.nanoTime();
    if (!awaitExit(ended, Duration.ofSeconds(30))) {
      throw new BerthException("container " + id + " did not exit within 30 s of SIGKILL");
    }
    log.debug("container {} stopped: signal {} ms, exit recorded {} ms later", id.substring(0, 12),
        (signalled - t0) / 1_000_000, (System.nanoTime() - signalled) / 1_000_000);
  }

  private boolean awaitExit(String id, Duration limit) {
    try {
      return awaitExit(containers.exits().waitFor(id, ContainerExits.WaitCondition.NOT_RUNNING), limit);
    } catch (BerthException.NotFound gone) {
      return true;
    }
  }

  private static boolean awaitExit(java.util.concurrent.CompletableFuture<?> f, Duration limit) {
    try {
      f.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true; // the wait ended with the container (removed)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Removes the container (killing it if it runs); idempotent, also for unknown IDs. */
  public void removeContainer(String containerId) {
    Optional<ContainerRecord> r = records.resolveContainer(containerId);
    if (r.isEmpty()) {
      return;
    }
    String id = r.get().id();
    try {
      containers.remove(id, true);
    } catch (BerthException.NotFound gone) {
      // removed behind our back
    }
    records.deleteContainer(id);
    publish(id, r.get().sandboxId(), PodContainerEvent.Type.DELETED);
  }

  public PodContainerStatus containerStatus(String containerId) {
    ContainerRecord r = records.requireContainer(containerId);
    Container c = containerOf(r).orElseThrow(() -> PodRecords.containerNotFound(containerId));
    return status(r, c);
  }

  public List<PodContainer> listContainers(ContainerFilter filter) {
    Map<String, Container> byId = containersById();
    List<PodContainer> out = new ArrayList<>();
    for (ContainerRecord r : records.containers()) {
      Container c = byId.get(r.id());
      if (c == null || !matches(r, filter)) {
        continue;
      }
      PodContainer p = status(r, c).summary();
      if (filter.state().isEmpty() || filter.state().get() == p.state()) {
        out.add(p);
      }
    }
    out.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    return out;
  }

  static boolean matches(ContainerRecord r, ContainerFilter f) {
    return (f.id().isEmpty() || r.id().startsWith(f.id().get()))
        && (f.sandboxId().isEmpty() || r.sandboxId().startsWith(f.sandboxId().get()))
        && PodLabels.matches(r.spec().labels(), f.labelSelector());
  }

  private PodContainerStatus status(ContainerRecord r, Container c) {
    PodStates.Status s = PodStates.of(c);
    PodContainerStatus.User user = c.state() instanceof ContainerState.Running run
        ? ProcessIdentity.of(run.pid()).map(id -> new PodContainerStatus.User(id.uid(), id.gid(), id.groups()))
            .orElseGet(() -> user(r.spec().security()))
        : user(r.spec().security());
    return new PodContainerStatus(r.id(), r.sandboxId(), r.spec().metadata(), s.state(), c.created(), s.startedAt(),
        s.finishedAt(), s.exitCode(), r.spec().image(), c.imageId(), s.reason(), s.message(), r.spec().labels(),
        r.annotations(), r.spec().mounts(), r.logPath(), r.resources(), user,
        Map.of("berthName", c.name(), "pid", c.state() instanceof ContainerState.Running run
            ? Integer.toString(run.pid()) : ""));
  }

  private static PodContainerStatus.User user(ContainerSecurity sec) {
    return new PodContainerStatus.User(sec.runAsUser().orElse(0), sec.runAsGroup().orElse(0),
        sec.supplementalGroups());
  }

  /** Changes a created or running container's limits; {@code annotations} are kept for its status. */
  public void updateContainerResources(String containerId, LinuxResources resources, Map<String, String> annotations) {
    ContainerRecord r = records.requireContainer(containerId);
    containers.dropCreateAhead(r.id()); // its spec has the old limits: the start creates it again
    LinuxResources x = resources == null ? LinuxResources.NONE : resources;
    containers.updater().update(r.id(), new ContainerUpdate(positive(x.memoryLimitBytes()),
        x.memoryLimitBytes() > 0 ? Long.valueOf(Math.max(x.memorySwapLimitBytes(), x.memoryLimitBytes())) : null,
        null, null, null, positive(x.cpuShares()), positive(x.cpuPeriod()), positive(x.cpuQuota()),
        x.cpusetCpus().isEmpty() ? null : x.cpusetCpus(), x.cpusetMems().isEmpty() ? null : x.cpusetMems(), null,
        null, null));
    records.save(r.withResources(x, annotations));
  }

  private static Long positive(long v) {
    return v > 0 ? v : null;
  }

  /** Has conmon reopen the container's CRI log file (after kubelet rotated it). */
  public void reopenContainerLog(String containerId) {
    ContainerRecord r = records.requireContainer(containerId);
    containers.attach().reopenLog(r.id());
  }

  /**
   * Runs {@code cmd} in the running container; a zero timeout waits without limit. A command that
   * outlives its timeout is ended and {@link ExecSyncTimeout} thrown.
   */
  public ExecSyncResult execSync(String containerId, List<String> cmd, Duration timeout) {
    ContainerRecord r = records.requireContainer(containerId);
    ContainerExecs execs = containers.execs();
    ContainerExecs.Exec e = execs.create(r.id(), new ContainerExecs.ExecConfig(cmd, List.of(), "", "", false, false,
        false));
    Duration limit = timeout == null || timeout.isZero() || timeout.isNegative() ? NO_TIMEOUT : timeout;
    ContainerExecs.Exec done = execs.run(e.id(), limit);
    // ContainerExecs reports a run it had to end as a failed exec (126, the reason on stderr), as Docker would
    if (done.exitCode() != null && done.exitCode() == 126 && done.stderr() != null
        && done.stderr().contains("still running after")) {
      throw new ExecSyncTimeout(r.id(), limit);
    }
    return new ExecSyncResult(capped(done.stdout()), capped(done.stderr()),
        done.exitCode() == null ? -1 : done.exitCode());
  }

  private static byte[] capped(String s) {
    byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    return b.length > ExecSyncResult.MAX_OUTPUT ? Arrays.copyOf(b, ExecSyncResult.MAX_OUTPUT) : b;
  }

  /** CRI's stats calls for pods and their containers. */
  public PodStats stats() {
    return stats;
  }

  // ---- events and status --------------------------------------------------------------------

  /**
   * Delivers container events (created, started, stopped, deleted) of pod containers to
   * {@code listener}, in order, on a thread of its own; a slow listener never blocks the engine.
   * Close the answer to stop.
   */
  public AutoCloseable subscribe(Consumer<PodContainerEvent> listener) {
    return events.subscribe(listener);
  }

  /** CRI Status' conditions: RuntimeReady, and NetworkReady (false with a reason when no CNI config is usable). */
  public List<RuntimeCondition> conditions() {
    if (pauseRequested.compareAndSet(false, true)) {
      // kubelet (and crictl) ask for the status before the first pod: the infra image is made now,
      // in the background, instead of inside the first RunPodSandbox
      Thread.ofVirtual().name("pause-image").start(() -> {
        try {
          pause.ensure();
        } catch (RuntimeException e) {
          log.warn("cannot make the pod infra image yet: {}", e.getMessage());
        }
      });
    }
    boolean runtime = containers.defaultRuntime().isPresent();
    Optional<String> net = network.notReady();
    return List.of(
        new RuntimeCondition(RuntimeCondition.RUNTIME_READY, runtime, runtime ? "" : "NoOciRuntime",
            runtime ? "" : "no OCI runtime works on this host (runc or crun with conmon)"),
        new RuntimeCondition(RuntimeCondition.NETWORK_READY, net.isEmpty(), net.isEmpty() ? "" : "NetworkPluginNotReady",
            net.orElse("")));
  }

  /** The cgroup driver kubelet must match (CRI RuntimeConfig). */
  public String cgroupDriver() {
    return "cgroupfs";
  }

  /**
   * The sandbox's network namespace file (for PortForward, which connects inside it); empty for a
   * sandbox on the host's network or one whose network was torn down.
   */
  public Optional<Path> sandboxNetns(String sandboxId) {
    SandboxRecord r = records.requireSandbox(sandboxId);
    if (r.pinned() && r.hostNetwork()) {
      return Optional.of(Path.of("/proc/self/ns/net")); // no infra process: berthd's own, the host's
    }
    return networkReady(r) && !r.netns().isEmpty() ? Optional.of(Path.of(r.netns())) : Optional.empty();
  }

  /** Its CNI attachment is up and in use: a stopped sandbox's (its teardown still due) is not. */
  private static boolean networkReady(SandboxRecord r) {
    return r.networkUp() && !(r.pinned() && r.stopped());
  }

  /** The CNI config list pods are wired with (written into an empty config dir first). */
  public ObjectNode networkConfig() {
    return network.confList().deepCopy();
  }

  private void publish(String containerId, String sandboxId, PodContainerEvent.Type type) {
    if (!events.hasSubscribers()) {
      return;
    }
    Optional<SandboxStatus> sandbox = Optional.empty();
    List<PodContainerStatus> statuses = new ArrayList<>();
    try {
      if (sandboxId != null) {
        Optional<SandboxRecord> s = records.sandbox(sandboxId);
        Optional<Container> infra = s.flatMap(this::infraOf);
        if (s.isPresent() && (infra.isPresent() || s.get().pinned())) {
          sandbox = Optional.of(status(s.get(), infra.orElse(null)));
        }
        for (ContainerRecord c : records.containersOf(sandboxId)) {
          containerOf(c).ifPresent(bc -> statuses.add(status(c, bc)));
        }
      }
    } catch (RuntimeException raced) {
      // removed meanwhile: the event goes out with what is known
    }
    events.publish(new PodContainerEvent(containerId, type, Instant.now(), sandbox, statuses));
  }

  /** Pod containers that ended (on their own or stopped) are CRI's STOPPED events. */
  private void readExits() {
    try {
      while (true) {
        Event e = exits.next(60_000);
        if (e == null && exits.overflowed()) {
          log.warn("pod exit events fell behind; some STOPPED events were lost");
          return;
        }
        if (e != null) {
          publish(e.actorId(), e.attributes().get(PodLabels.SANDBOX), PodContainerEvent.Type.STOPPED);
        }
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    teardown.awaitRunning();
    exitReader.interrupt();
    exits.close();
    events.close();
  }

  // ---- lookups and reconcile ---------------------------------------------------------------

  /**
   * At engine open (after the containers were reconciled): records whose Berth container is
   * gone are dropped, a gone sandbox's network freed. Sandboxes and containers whose processes
   * still run (conmon outlives berthd) need nothing: their state is read from the containers.
   */
  private void reconcile() {
    Map<String, Container> byId = containersById();
    for (ContainerRecord r : records.containers()) {
      if (!byId.containsKey(r.id())) {
        records.deleteContainer(r.id());
      }
    }
    for (SandboxRecord r : records.sandboxes()) {
      if (r.pinned()) {
        if (SandboxTeardown.due(r)) { // berthd stopped between a StopPodSandbox's answer and its teardown
          quietly(() -> teardown.run(r));
          log.info("pod sandbox {}: stopped before berthd's restart; its network and namespaces freed now",
              r.id().substring(0, 12));
        } else if (!r.stopped() && !SandboxNamespaces.bound(r)) { // a reboot cleared the exec-root, or a crash mid-run
          network.detach(r);
          namespaces.unpin(SandboxNamespaces.of(r));
          shm.remove(r.id());
          records.save(r.withStopped());
          log.info("pod sandbox {}: its namespaces are gone; it is NOTREADY", r.id().substring(0, 12));
        }
        continue;
      }
      if (!byId.containsKey(r.id())) {
        network.detach(r);
        shm.remove(r.id());
        records.deleteSandbox(r.id());
        log.info("pod sandbox {}: its infra container is gone; record and network freed", r.id().substring(0, 12));
      }
    }
  }

  private Map<String, Container> containersById() {
    return containers.list().stream().collect(Collectors.toMap(Container::id, Function.identity(), (a, b) -> a));
  }

  private Optional<Container> infraOf(SandboxRecord r) {
    return find(r.id());
  }

  private Optional<Container> containerOf(ContainerRecord r) {
    return find(r.id());
  }

  private Optional<Container> find(String id) {
    try {
      return Optional.of(containers.find(id));
    } catch (BerthException.NotFound gone) {
      return Optional.empty();
    }
  }

  private ReentrantLock lock(String id) {
    return locks.computeIfAbsent(id, k -> new ReentrantLock());
  }

  /** Mount sources kubelet names but has not made yet are made, as CRI-O does. */
  private static void createHostDirs(PodContainerSpec spec) {
    for (PodMount m : spec.mounts()) {
      Path p = Path.of(m.hostPath());
      if (p.isAbsolute() && !Files.exists(p)) {
        try {
          Files.createDirectories(p);
        } catch (IOException e) {
          throw new BerthException.InvalidArgument("cannot create mount source " + p + ": " + e.getMessage());
        }
      }
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(0, nanos);
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.debug("clean-up step failed: {}", e.getMessage());
    }
  }
}
