package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A container's rootfs: the overlay of its image's layers and its upper dir, mounted at start or for a file access. */
public final class ContainerRootfs {
  private static final Logger log = LoggerFactory.getLogger(ContainerRootfs.class);

  private final ContainerStore store;
  private final ImageService images;
  private final ContainerUserns userns;

  ContainerRootfs(ContainerStore store, ImageService images, ContainerUserns userns) {
    this.store = store;
    this.images = images;
    this.userns = userns;
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
    Container c = store.find(nameOrId);
    ReentrantLock lock = store.lock(c.id());
    lock.lock();
    boolean mountedHere = false;
    try {
      c = store.get(c.id());
      Path rootfs = store.dir(c.id()).resolve("rootfs");
      if (!Mounts.isMountPoint(rootfs)) {
        mount(c);
        mountedHere = true;
      }
      return work.apply(c, rootfs);
    } finally {
      if (mountedHere) {
        unmount(c.id());
      }
      lock.unlock();
    }
  }

  /** The daemon's --userns-remap when this container runs under it (not --userns=host, not a microVM). */
  public java.util.Optional<dev.berth.engine.userns.Remapping> remappingOf(Container c) {
    return userns.remapped(c.config()) ? userns.remapping() : java.util.Optional.empty();
  }

  void mount(Container c) {
    Path dir = store.dir(c.id());
    Path rootfs = dir.resolve("rootfs");
    if (Mounts.isMountPoint(rootfs)) {
      return;
    }
    Image image = images.find(c.imageId());
    List<Path> lower = new ArrayList<>();
    for (Image.ImageLayer layer : image.layers()) {
      lower.add(userns.lowerDir(c.config(), layer.chainId(), images.layers().diffDir(layer.chainId())));
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

  void unmount(String id) {
    Path rootfs = store.dir(id).resolve("rootfs");
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
}
