package dev.berth.engine.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.Conmon;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.ProbedRuntime;
import dev.berth.engine.state.ContainerTable;
import dev.berth.engine.state.ContainerTable.ContainerRow;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every container capability (lifecycle, exits, exec, attach, reconcile) shares: the
 * database rows, a lock per container, the live conmon processes and microVMs, the runtimes.
 * The row is the truth; the maps hold only what a running container needs in memory.
 */
final class ContainerStore {
  private static final Logger log = LoggerFactory.getLogger(ContainerStore.class);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  final EngineConfig config;
  final ContainerTable table;
  final Clock clock;
  final ContainerEvents events;
  /** The running conmon-supervised containers, by id. */
  final Map<String, ContainerProcess> processes = new ConcurrentHashMap<>();
  /** The running --isolation=vm containers, by id (instead of a conmon process). */
  final Map<String, MicroVm> vms = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final List<ProbedRuntime> probed;
  /** One conmon driver per usable runtime, by name; containers record the runtime they run on. */
  private final Map<String, Conmon> conmons;
  private final String defaultRuntime;
  private volatile ContainerNetworks networks;
  /** State.Health by container id (the health monitor's); null for a container without a check. */
  volatile java.util.function.Function<String, Health> healthOf = id -> null;

  ContainerStore(EngineConfig config, ContainerTable table, Clock clock, ContainerEvents events,
      List<ProbedRuntime> probed, Map<String, Conmon> conmons, String defaultRuntime, ContainerNetworks networks) {
    this.config = config;
    this.table = table;
    this.clock = clock;
    this.events = events;
    this.probed = List.copyOf(probed);
    this.conmons = Map.copyOf(conmons);
    this.defaultRuntime = defaultRuntime;
    this.networks = networks;
    sweepRemoved(config.dataRoot().resolve("containers"));
  }

  ContainerNetworks networks() {
    return networks;
  }

  void useNetworks(ContainerNetworks networks) {
    this.networks = networks;
  }

  List<ProbedRuntime> probed() {
    return probed;
  }

  Map<String, Conmon> conmons() {
    return conmons;
  }

  String defaultRuntime() {
    return defaultRuntime;
  }

  /** The conmon driver for a container's runtime; 503 when none works here. */
  Conmon conmon(Container c) {
    String name = c.config().runtime() == null ? defaultRuntime : c.config().runtime();
    Conmon m = name == null ? null : conmons.get(name);
    if (m == null) {
      throw new BerthException.Unavailable("OCI runtime " + (name == null ? "(none)" : name) + " is not usable here ("
          + probed.stream().map(p -> p.name() + ": " + p.reason()).toList() + "); install runc and conmon");
    }
    return m;
  }

  ReentrantLock lock(String id) {
    return locks.computeIfAbsent(id, k -> new ReentrantLock());
  }

  void forgetLock(String id) {
    locks.remove(id);
  }

  /** Writes the container's state; EPOCH times keep the row's. */
  void save(Container c, Instant startedAt, Instant finishedAt) {
    ContainerRow r = table.byId(c.id()).orElseThrow(() -> new BerthException.NotFound("No such container: " + c.id()));
    ContainerState s = c.state();
    int pid = s instanceof ContainerState.Running run ? run.pid() : 0;
    int code = s instanceof ContainerState.Exited ex ? ex.exitCode()
        : s instanceof ContainerState.Restarting rs ? rs.exitCode() : 0;
    boolean oom = s instanceof ContainerState.Exited ex && ex.oomKilled();
    String error = s instanceof ContainerState.Exited ex ? ex.error() : "";
    long started = startedAt.equals(Instant.EPOCH) ? r.startedAt() : startedAt.toEpochMilli();
    long finished = finishedAt.equals(Instant.EPOCH) ? r.finishedAt() : finishedAt.toEpochMilli();
    table.updateState(new ContainerRow(r.id(), r.name(), r.imageId(), r.imageRef(), r.created(), r.configJson(),
        s.status(), pid, code, started, finished, oom, error, r.restartCount()));
  }

  /** Writes the restart count (kept by {@link #save}). */
  void saveRestartCount(String id, int count) {
    table.byId(id).ifPresent(r -> table.updateState(new ContainerRow(r.id(), r.name(), r.imageId(), r.imageRef(),
        r.created(), r.configJson(), r.status(), r.pid(), r.exitCode(), r.startedAt(), r.finishedAt(), r.oomKilled(),
        r.error(), count)));
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
      case "restarting" -> new ContainerState.Restarting(r.exitCode(), started, Instant.ofEpochMilli(r.finishedAt()));
      case "removing" -> new ContainerState.Removing();
      default -> new ContainerState.Created();
    };
    return new Container(r.id(), r.name(), r.imageId(), r.imageRef(), Instant.ofEpochMilli(r.created()), cfg, state,
        r.restartCount(), healthOf.apply(r.id()));
  }

  List<Container> list() {
    return table.all().stream().map(this::toContainer).toList();
  }

  /** By full ID, name (with or without "/"), or unique ID prefix; 404 otherwise. */
  Container find(String nameOrId) {
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

  Container get(String id) {
    return table.byId(id).map(this::toContainer).orElseThrow(() -> new BerthException.NotFound("No such container: " + id));
  }

  Optional<Container> byId(String id) {
    return table.byId(id).map(this::toContainer);
  }

  /** The container's k8s-file log: its own {@code ctr.log}, or the path its log config names (CRI's LogPath). */
  Path logPath(String id) {
    return table.byId(id).map(this::toContainer).flatMap(c -> c.config().logConfig().path())
        .orElseGet(() -> dir(id).resolve("ctr.log"));
  }

  /** The container's directory (bundle, upper dir, rootfs mount point). */
  Path dir(String id) {
    return config.dataRoot().resolve("containers").resolve(id);
  }

  static String newId() {
    byte[] b = new byte[32];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Where a removed container's directory waits for {@link #deleteTreeSoon}'s thread. */
  private static final String REMOVED_PREFIX = ".removed-";

  /**
   * Deletes a removed container's directory off the caller's path: renamed aside at once (one
   * metadata write), then deleted by a virtual thread. Each of the ~20 unlinks waits on the
   * filesystem's journal, 30-70 ms in all on a busy host, which a removal need not wait for.
   * What a crash leaves aside, {@link #sweepRemoved} deletes at the next open.
   */
  static void deleteTreeSoon(Path dir) {
    if (!Files.exists(dir) || Mounts.isMountPoint(dir.resolve("rootfs"))) {
      deleteTree(dir); // nothing there, or a mounted rootfs that deleteTree refuses to go through
      return;
    }
    Path aside = dir.resolveSibling(REMOVED_PREFIX + dir.getFileName());
    try {
      Files.move(dir, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteTree(dir);
      return;
    }
    Thread.ofVirtual().name("container-dir-removal").start(() -> deleteTree(aside));
  }

  /** Deletes, in the background, the directories removals had set aside when berthd last stopped. */
  static void sweepRemoved(Path containersDir) {
    if (!Files.isDirectory(containersDir)) {
      return;
    }
    try (var list = Files.list(containersDir)) {
      List<Path> left = list.filter(p -> p.getFileName().toString().startsWith(REMOVED_PREFIX)).toList();
      if (!left.isEmpty()) {
        Thread.ofVirtual().name("container-dir-sweep").start(() -> left.forEach(ContainerStore::deleteTree));
      }
    } catch (IOException e) {
      log.warn("cannot list {}: {}", containersDir, e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
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
    } catch (IOException | UncheckedIOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
