package dev.berth.engine.stats;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one container's cgroup; {@link #forPath} picks v1 or v2 for the host's layout. */
public sealed interface CgroupReader permits CgroupV1Reader, CgroupV2Reader {
  Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

  CgroupStats read();

  /** Whether the container's cgroup exists (it is gone once the container stopped). */
  boolean exists();

  /**
   * The reader for cgroupfs path {@code cgroupsPath} (the spec's linux.cgroupsPath, e.g.
   * {@code /berth/<id>}) under {@code root}. A unified-only host has cgroup.controllers at its
   * root; a hybrid one (v1 controllers plus a cgroup2 mount at unified/) is read as v1, where
   * the runtime put the container's limits.
   */
  static CgroupReader forPath(Path root, String cgroupsPath) {
    String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      return new CgroupV2Reader(root.resolve(rel));
    }
    return new CgroupV1Reader(root, rel);
  }
}
