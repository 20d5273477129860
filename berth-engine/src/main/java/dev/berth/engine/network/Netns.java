package dev.berth.engine.network;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.Mounts;
import dev.berth.engine.sys.NetNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Network namespaces kept open by a bind mount of nsfs on a file, so they exist before runc
 * starts the container (runc joins the path) and after berthd dies. Made inside berthd with
 * loopback already up ({@link NetNamespaces}), as {@code unshare --net=FILE} and the CNI
 * loopback plugin would, without their two processes.
 */
final class Netns {
  private Netns() {}

  static void create(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(file);
    } catch (IOException e) {
      throw new BerthException("cannot create " + file + ": " + e.getMessage(), e);
    }
    try {
      NetNamespaces.createBound(file);
    } catch (IOException e) {
      remove(file);
      throw new BerthException("cannot create a network namespace at " + file + ": " + e.getMessage(), e);
    }
  }

  /** Keeps an existing namespace ({@code /proc/PID/ns/net}) open on {@code file}, as {@link #create} keeps a new one. */
  static void bind(Path file, Path namespace) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(file);
      Mounts.mount(namespace.toString(), file, "none", 4096 /* MS_BIND */, null);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw new BerthException("cannot bind the network namespace " + namespace + " at " + file + ": "
          + e.getMessage(), e);
    }
  }

  static void remove(Path file) {
    if (Mounts.isMountPoint(file)) {
      try {
        Mounts.unmount(file, Mounts.MNT_DETACH);
      } catch (IOException e) {
        throw new BerthException("cannot unmount network namespace " + file + ": " + e.getMessage(), e);
      }
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new BerthException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
