package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.filesystem.RootfsPath;
import dev.berth.engine.microvm.GuestMount;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A microVM container's volumes, binds and tmpfs as the guest mounts them: each volume or bind
 * a directory shared over 9p, each tmpfs made by the guest kernel. The mount points are made
 * in the rootfs here, resolved inside it, as runc makes them for a plain container.
 */
final class VmMounts {
  /** QEMU's microvm machine has 24 virtio-mmio slots; the rootfs, config share, serial ports and NICs need some. */
  static final int MAX_SHARES = 16;
  /** Options the tmpfs of a plain container takes from its spec that are not the kernel's. */
  private static final Set<String> NOT_TMPFS = Set.of("tmpcopyup", "notmpcopyup", "rprivate", "private", "rshared",
      "shared", "rslave", "slave", "bind", "rbind");

  private VmMounts() {}

  /** What create can check already: shares are directories, not too many. */
  static void checkSources(String shortId, List<MountPoint> points) {
    int shares = 0;
    for (MountPoint m : points) {
      if (m.type() != MountType.TMPFS) {
        checkShare(shortId, m, ++shares);
      }
    }
  }

  private static Path checkShare(String shortId, MountPoint m, int shares) {
    Path source = Path.of(m.mountedSource());
    if (!Files.isDirectory(source)) {
      throw new BerthException.InvalidArgument("cannot mount " + source + " at " + m.destination() + " in container "
          + shortId + ": it runs with --isolation=vm, which shares directories with the guest, not single files;"
          + " bind the directory that holds the file instead");
    }
    if (shares > MAX_SHARES) {
      throw new BerthException.InvalidArgument("container " + shortId + " has more than " + MAX_SHARES
          + " volumes and binds: a microVM container (--isolation=vm) cannot have more; merge some");
    }
    return source;
  }

  static List<GuestMount> forGuest(String shortId, List<MountPoint> points, Path rootfs) {
    List<GuestMount> out = new ArrayList<>();
    int shares = 0;
    for (MountPoint m : points) {
      if (m.destination().contains("\n")) {
        throw new BerthException.InvalidArgument("invalid mount destination " + m.destination().replace("\n", "\\n")
            + ": a path with a newline cannot be mounted in a microVM container");
      }
      if (m.type() == MountType.TMPFS) {
        out.add(new GuestMount.Tmpfs(target(shortId, rootfs, m), m.tmpfsOptions().stream()
            .filter(o -> !NOT_TMPFS.contains(o)).toList()));
        continue;
      }
      Path source = checkShare(shortId, m, ++shares);
      out.add(new GuestMount.Share(source, target(shortId, rootfs, m), !m.rw()));
    }
    return out;
  }

  /** The mount point, resolved in the rootfs (links followed there), made as a directory. */
  private static String target(String shortId, Path rootfs, MountPoint m) {
    try {
      Path resolved = RootfsPath.resolve(rootfs, m.destination(), true);
      Files.createDirectories(resolved);
      return RootfsPath.inContainer(rootfs, resolved);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("cannot make the mount point " + m.destination() + " in container "
          + shortId + ": " + e.getMessage());
    }
  }
}
