package dev.berth.engine.volume;

import dev.berth.engine.events.EventBus;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.filesystem.DirectoryTrees;
import dev.berth.engine.state.VolumeTable;
import dev.berth.engine.state.VolumeTable.VolumeRow;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes of the local driver, as Docker keeps them: {@code <data-root>/volumes/<name>/_data},
 * one row each in the state database. Which containers use a volume is asked of the container
 * side ({@link #setUsage}) plus the creates in progress that reserved it, so a volume is never
 * removed under a container being made.
 */
public final class VolumeService {
  private static final Logger log = LoggerFactory.getLogger(VolumeService.class);
  public static final String LOCAL = "local";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private final Path root;
  private final VolumeTable table;
  private final Clock clock;
  /** Creates, removes and reservations happen one at a time, so "in use" is checked against a settled state. */
  private final ReentrantLock lock = new ReentrantLock();
  /** Volume name → container IDs whose create is in progress and will use it. */
  private final Map<String, Set<String>> reserved = new HashMap<>();
  private volatile Function<String, List<String>> usage = name -> List.of();
  private final EventBus events;

  /** @param root {@code <data-root>/volumes} */
  public VolumeService(Path root, VolumeTable table, Clock clock, EventBus events) {
    this.events = events;
    this.root = root;
    this.table = table;
    this.clock = clock;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot create " + root + ": " + e.getMessage(), e);
    }
  }

  /** Who owns a new volume's {@code _data}: the remapped root under --userns-remap; null = root. */
  private volatile int[] owner;

  /** New volumes' {@code _data} belongs to {@code uid:gid} (the remapped root under --userns-remap, as dockerd). */
  public void ownNewVolumesBy(int uid, int gid) {
    this.owner = new int[] {uid, gid};
  }

  /** Tells the service which containers use a volume (their IDs); the container side sets it. */
  public void setUsage(Function<String, List<String>> containersUsing) {
    this.usage = containersUsing;
  }

  /** A volume just made, or the one that already had the name. */
  public record Ensured(Volume volume, boolean created) {}

  /**
   * Docker's POST /volumes/create: a new volume, or the existing one of that name (same driver).
   *
   * @param name empty for a generated 64-hex name
   */
  public Volume create(String name, String driver, Map<String, String> labels, Map<String, String> options) {
    return ensure(name, driver, labels, options).volume();
  }

  /** As {@link #create}, telling whether the volume is new. */
  public Ensured ensure(String name, String driver, Map<String, String> labels, Map<String, String> options) {
    String n = name == null || name.isEmpty() ? newName() : validateName(name);
    String d = checkDriver(driver);
    checkOptions(options == null ? Map.of() : options);
    lock.lock();
    try {
      Optional<Volume> existing = lookup(n);
      if (existing.isPresent()) {
        if (!existing.get().driver().equals(d)) {
          throw new BerthException.Conflict("volume name " + n + " already exists with driver "
              + existing.get().driver() + " (asked for " + d + "): choose another name");
        }
        return new Ensured(existing.get(), false);
      }
      Instant now = clock.instant();
      VolumeRow row = new VolumeRow(n, d, now.toEpochMilli(), json(labels), json(options));
      Path data = dataDir(n);
      try {
        Files.createDirectories(data);
        int[] o = owner;
        if (o != null) {
          dev.berth.engine.sys.LinuxFs.lchown(data, o[0], o[1]);
        }
      } catch (IOException e) {
        deleteTree(root.resolve(n));
        throw new UncheckedIOException("cannot create volume directory " + data, e);
      }
      if (!table.insert(row)) {
        // only possible if another berthd shares the database: the lock covers this one
        throw new BerthException.Conflict("volume " + n + " was created concurrently");
      }
      log.info("volume {} created", n);
      events.volume("create", n, d);
      return new Ensured(toVolume(row), true);
    } finally {
      lock.unlock();
    }
  }

  /**
   * As {@link #ensure}, and reserves the volume for container {@code containerId} until
   * {@link #release} (called once the container's row exists, or its create failed).
   */
  public Ensured acquire(String containerId, String name, String driver, Map<String, String> labels,
      Map<String, String> options) {
    lock.lock();
    try {
      Ensured e = ensure(name, driver, labels, options);
      reserved.computeIfAbsent(e.volume().name(), k -> new LinkedHashSet<>()).add(containerId);
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** Drops the reservations of a container create (it now shows in the usage, or it failed). */
  public void release(String containerId) {
    lock.lock();
    try {
      reserved.values().forEach(ids -> ids.remove(containerId));
      reserved.values().removeIf(Set::isEmpty);
    } finally {
      lock.unlock();
    }
  }

  public List<Volume> list() {
    return table.all().stream().map(this::toVolume).toList();
  }

  public Optional<Volume> lookup(String name) {
    return table.byName(name).map(this::toVolume);
  }

  public Volume find(String name) {
    return lookup(name).orElseThrow(() -> new BerthException.NotFound("get " + name + ": no such volume"));
  }

  /** IDs of the containers that use the volume (created, running or stopped), and creates in progress. */
  public List<String> users(String name) {
    Set<String> ids = new LinkedHashSet<>(usage.apply(name));
    lock.lock();
    try {
      ids.addAll(reserved.getOrDefault(name, Set.of()));
    } finally {
      lock.unlock();
    }
    return List.copyOf(ids);
  }

  /**
   * Removes a volume and its data; 409 naming the containers that use it. {@code force} makes a
   * missing volume no error (Docker's rm -f), never removes one in use.
   */
  public void remove(String name, boolean force) {
    lock.lock();
    try {
      Optional<Volume> v = lookup(name);
      if (v.isEmpty()) {
        if (force) {
          return;
        }
        throw new BerthException.NotFound("get " + name + ": no such volume");
      }
      List<String> users = users(name);
      if (!users.isEmpty()) {
        throw new BerthException.Conflict("remove " + name + ": volume is in use - " + users);
      }
      deleteNow(v.get());
    } finally {
      lock.unlock();
    }
  }

  /** Removes a volume if nothing uses it; false otherwise (rm -v of a container: shared volumes stay). */
  public boolean removeIfUnused(String name) {
    lock.lock();
    try {
      Optional<Volume> v = lookup(name);
      if (v.isEmpty() || !users(name).isEmpty()) {
        return false;
      }
      deleteNow(v.get());
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** What prune removed. */
  public record Pruned(List<String> names, long reclaimedBytes) {}

  /**
   * Removes unused volumes: anonymous ones only unless {@code all} (Docker ≥ 23), and of those
   * only the ones {@code filter} accepts.
   */
  public Pruned prune(boolean all, Predicate<Volume> filter) {
    List<String> gone = new ArrayList<>();
    long reclaimed = 0;
    lock.lock();
    try {
      for (Volume v : list()) {
        if ((all || v.anonymous()) && filter.test(v) && users(v.name()).isEmpty()) {
          long size = size(v);
          deleteNow(v);
          gone.add(v.name());
          reclaimed += size;
        }
      }
    } finally {
      lock.unlock();
    }
    return new Pruned(gone, reclaimed);
  }

  /** Bytes the volume's files take (apparent sizes, as Docker's UsageData.Size). */
  public long size(Volume v) {
    long[] total = {0};
    try {
      Files.walkFileTree(v.mountpoint(), new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      return -1;
    }
    return total[0];
  }

  private void deleteNow(Volume v) {
    if (Mounts.isMountPoint(v.mountpoint())) {
      // Never delete through a mount: a bind volume's files belong to the host.
      try {
        Mounts.unmount(v.mountpoint(), 0);
      } catch (IOException e) {
        throw new BerthException.Conflict("remove " + v.name() + ": cannot unmount " + v.mountpoint() + ": "
            + e.getMessage());
      }
    }
    table.delete(v.name());
    deleteTree(root.resolve(v.name()));
    log.info("volume {} removed", v.name());
    events.volume("destroy", v.name(), v.driver());
  }

  /** Docker's rule for local volume names. */
  public static String validateName(String name) {
    if (name.length() < 2) {
      throw new BerthException.InvalidArgument("volume name is too short, names should be at least two "
          + "alphanumeric characters");
    }
    if (!NAME.matcher(name).matches()) {
      throw new BerthException.InvalidArgument("\"" + name + "\" includes invalid characters for a local volume "
          + "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
          + "absolute path");
    }
    return name;
  }

  private static String checkDriver(String driver) {
    String d = driver == null || driver.isEmpty() ? LOCAL : driver;
    if (!d.equals(LOCAL)) {
      throw new BerthException.NotFound("error looking up volume plugin " + d + ": plugin \"" + d
          + "\" not found (Berth has the local driver only)");
    }
    return d;
  }

  /** The local driver's options are a mount (type, device, o), checked now and mounted at first use. */
  private static void checkOptions(Map<String, String> options) {
    LocalMountOptions.parse(options);
  }

  /**
   * A volume with options (type, device, o) is mounted on its {@code _data} the first time a
   * container starts with it, as Docker's local driver does, and stays mounted until removed.
   */
  public void mountIfNeeded(String name) {
    lock.lock();
    try {
      Volume v = find(name);
      Optional<LocalMountOptions> opts = LocalMountOptions.parse(v.options());
      if (opts.isEmpty() || Mounts.isMountPoint(v.mountpoint())) {
        return;
      }
      LocalMountOptions o = opts.get();
      try {
        Mounts.mount(o.device(), v.mountpoint(), o.type(), o.flags(), o.data().isEmpty() ? null : o.data());
      } catch (IOException e) {
        throw new BerthException.InvalidArgument("error while mounting volume '" + v.mountpoint() + "': "
            + e.getMessage() + " (options " + v.options() + ")");
      }
    } finally {
      lock.unlock();
    }
  }

  private Path dataDir(String name) {
    return root.resolve(name).resolve("_data");
  }

  private Volume toVolume(VolumeRow r) {
    return new Volume(r.name(), r.driver(), dataDir(r.name()), Instant.ofEpochMilli(r.created()),
        parse(r.labelsJson()), parse(r.optionsJson()));
  }

  private static Map<String, String> parse(String json) {
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static String json(Map<String, String> m) {
    try {
      return JSON.writeValueAsString(m == null ? Map.of() : m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String newName() {
    byte[] b = new byte[32];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void deleteTree(Path dir) {
    DirectoryTrees.deleteOrWarn(dir, log);
  }
}
