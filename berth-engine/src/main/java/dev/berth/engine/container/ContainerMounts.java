package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.volume.MountPlanner;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import dev.berth.engine.volume.Volume;
import dev.berth.engine.volume.VolumeService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's volumes, binds and tmpfs mounts through its life: made at create (named volumes
 * created on first use, anonymous ones for -v /path and the image's VOLUMEs), filled from the
 * image at start while empty, given to the runtime in the spec, and let go at remove.
 */
final class ContainerMounts {
  private static final Logger log = LoggerFactory.getLogger(ContainerMounts.class);

  private final VolumeService volumes;

  ContainerMounts(VolumeService volumes) {
    this.volumes = volumes;
  }

  /** What a create made, so a create that fails later can take it back. */
  record Prepared(ContainerStorage storage, List<String> createdVolumes, List<Path> createdDirs) {}

  /**
   * Checks every mount, then makes what they need. The volumes stay reserved for the container
   * until {@link #done} or {@link #undo}, so a concurrent volume rm or prune cannot take them.
   */
  Prepared prepare(String containerId, ContainerStorage storage, Collection<String> imageVolumes,
      java.util.function.Function<String, ContainerStorage> otherContainer) {
    List<MountPoint> inherited = new ArrayList<>();
    for (String spec : storage.volumesFrom()) {
      inherited.addAll(MountPlanner.inherit(spec,
          otherContainer.apply(MountPlanner.volumesFromContainer(spec)).mountPoints()));
    }
    // Config.Volumes of the create are anonymous volumes, as the image's VOLUMEs are
    List<String> declared = new ArrayList<>(storage.volumes());
    declared.addAll(imageVolumes);
    List<MountPlanner.Planned> plan = MountPlanner.plan(storage.binds(), storage.mounts(), storage.tmpfs(),
        inherited, declared);
    List<MountPoint> points = new ArrayList<>();
    List<String> createdVolumes = new ArrayList<>();
    List<Path> createdDirs = new ArrayList<>();
    Prepared made = new Prepared(storage, createdVolumes, createdDirs);
    try {
      for (MountPlanner.Planned p : plan) {
        MountPoint m = p.point();
        switch (m.type()) {
          case BIND -> bindSource(m, p.createSource(), createdDirs);
          case VOLUME -> {
            Map<String, String> labels = new java.util.LinkedHashMap<>(p.volumeLabels());
            if (m.anonymous()) {
              labels.put(Volume.ANONYMOUS_LABEL, "");
            }
            VolumeService.Ensured e = volumes.acquire(containerId, m.name(), p.volumeDriver(), labels,
                p.volumeOptions());
            if (e.created()) {
              createdVolumes.add(e.volume().name());
            }
            m = new MountPoint(m.type(), e.volume().name(), e.volume().mountpoint().toString(), m.destination(),
                m.rw(), m.mode(), m.propagation(), m.copyUp(), m.tmpfsOptions(), m.anonymous(), m.listed(),
                m.subpath());
          }
          case TMPFS -> { }
        }
        points.add(m);
      }
    } catch (RuntimeException e) {
      undo(containerId, made);
      throw e;
    }
    return new Prepared(storage.withMountPoints(points), createdVolumes, createdDirs);
  }

  /** The container's row exists: its volumes now count as used through it. */
  void done(String containerId) {
    volumes.release(containerId);
  }

  /** Takes back what {@link #prepare} made (the create failed). */
  void undo(String containerId, Prepared p) {
    volumes.release(containerId);
    for (String name : p.createdVolumes()) {
      volumes.removeIfUnused(name);
    }
    for (Path dir : p.createdDirs().reversed()) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        log.warn("cannot remove {} made for a failed create: {}", dir, e.getMessage());
      }
    }
  }

  /** A bind's host path must exist; -v creates a missing directory (and its missing parents), --mount refuses. */
  private static void bindSource(MountPoint m, boolean create, List<Path> createdDirs) {
    Path src = Path.of(m.source());
    if (Files.exists(src)) {
      return;
    }
    if (!create) {
      throw new BerthException.InvalidArgument("invalid mount config for type \"bind\": bind source path does not "
          + "exist: " + src);
    }
    List<Path> missing = new ArrayList<>();
    for (Path p = src; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      missing.addFirst(p);
    }
    try {
      Files.createDirectories(src);
      createdDirs.addAll(missing);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("error while creating mount source path '" + src + "': "
          + e.getMessage());
    }
  }

  /**
   * Docker's copy-up at start: a volume with mount options is mounted first; then a volume that
   * is still empty gets what the image has at its destination, owners, modes and times kept.
   * Not for binds, nor with nocopy.
   */
  void populate(ContainerStorage storage, Path rootfs) {
    for (MountPoint m : storage.mountPoints()) {
      if (m.type() == MountType.VOLUME) {
        volumes.mountIfNeeded(m.name());
        checkSubpath(m);
      }
    }
    copyUp(storage, rootfs);
  }

  /** A subpath must be a directory of the volume now, reached without leaving it by a link. */
  static void checkSubpath(MountPoint m) {
    if (m.subpath().isEmpty()) {
      return;
    }
    Path volume = Path.of(m.source());
    try {
      Path resolved = dev.berth.engine.filesystem.RootfsPath.resolve(volume, "/" + m.subpath(), true);
      if (!resolved.equals(Path.of(m.mountedSource())) || !Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS)) {
        throw new BerthException.InvalidArgument("cannot mount subpath " + m.subpath() + " of volume " + m.name()
            + " at " + m.destination() + ": it must be a directory inside the volume (no links); create it first");
      }
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("cannot access subpath " + m.subpath() + " of volume " + m.name() + ": "
          + e.getMessage());
    }
  }

  /** The copy-up alone, on volumes already in place. */
  static void copyUp(ContainerStorage storage, Path rootfs) {
    for (MountPoint m : storage.mountPoints()) {
      if (m.type() != MountType.VOLUME || !m.copyUp()) {
        continue;
      }
      Path volume = Path.of(m.source());
      try {
        Path inImage = rootfs.resolve(m.destination().substring(1));
        if (!Files.isDirectory(inImage, LinkOption.NOFOLLOW_LINKS) || !isEmpty(volume)) {
          continue;
        }
        // Only real directories inside the rootfs: a symlink could point anywhere on the host.
        if (!inImage.toRealPath().startsWith(rootfs.toRealPath())) {
          continue;
        }
        copyTree(inImage, volume);
      } catch (IOException e) {
        throw new BerthException("cannot copy the image's " + m.destination() + " into volume " + m.name() + ": "
            + e.getMessage(), e);
      }
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /**
   * {@code cp -a SRC/. DST}: GNU cp keeps owners, modes, times, xattrs, hard links, devices and
   * sockets, which the JDK's file copy does not all do; the directory itself takes SRC's
   * owner and mode, as Docker's copy-up does.
   */
  private static void copyTree(Path src, Path dst) throws IOException {
    Process p = new ProcessBuilder("cp", "-a", "--", src + "/.", dst.toString()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("cp -a took longer than 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while copying");
    }
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (p.exitValue() != 0) {
      throw new IOException("cp -a failed: " + out);
    }
  }

  /** The OCI mounts: binds and volumes as rbind (ro when asked, rro too when recursively, rprivate unless told), tmpfs with its options. */
  static List<Mount> specMounts(ContainerStorage storage) {
    List<Mount> out = new ArrayList<>();
    for (MountPoint m : storage.mountPoints()) {
      if (m.type() == MountType.TMPFS) {
        out.add(new Mount(m.destination(), "tmpfs", "tmpfs", m.tmpfsOptions()));
        continue;
      }
      List<String> opts = new ArrayList<>(List.of("rbind"));
      opts.add(m.rw() ? "rw" : "ro");
      if (m.recursiveReadOnly()) {
        opts.add("rro"); // runc ≥ 1.1 on Linux ≥ 5.12: mount_setattr(AT_RECURSIVE) over the whole tree
      }
      opts.add(m.propagation().isEmpty() ? "rprivate" : m.propagation());
      out.add(new Mount(m.destination(), "bind", m.mountedSource(), opts));
    }
    return out;
  }

  /** After the container is gone: its anonymous volumes go too when asked (rm -v, --rm), unless another uses them. */
  void release(ContainerStorage storage, boolean removeAnonymous) {
    if (!removeAnonymous) {
      return;
    }
    for (MountPoint m : storage.mountPoints()) {
      if (m.type() != MountType.VOLUME || !m.anonymous()) {
        continue;
      }
      try {
        if (!volumes.removeIfUnused(m.name())) {
          log.info("anonymous volume {} kept: another container uses it", m.name());
        }
      } catch (RuntimeException e) {
        // The container is gone already; a volume that cannot go now is left for prune.
        log.warn("anonymous volume {} not removed: {}", m.name(), e.getMessage());
      }
    }
  }

  /** IDs of the containers whose mounts include the volume. */
  static List<String> users(List<Container> containers, String volume) {
    return containers.stream().filter(c -> c.config().storage().usesVolume(volume)).map(Container::id).toList();
  }
}
