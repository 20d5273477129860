package dev.berth.engine.sys;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the host mounts cgroups; runtimes and resource limits depend on it. */
public enum CgroupLayout {
  /** Controllers under /sys/fs/cgroup/&lt;controller&gt;, no usable cgroup2. */
  V1("1"),
  /** One unified cgroup2 hierarchy at /sys/fs/cgroup. */
  V2("2"),
  /** v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified (systemd's hybrid mode). */
  HYBRID("1");

  private final String dockerVersion;

  CgroupLayout(String dockerVersion) {
    this.dockerVersion = dockerVersion;
  }

  /** The value Docker reports as CgroupVersion: "1" for v1 and hybrid, "2" for unified. */
  public String dockerVersion() {
    return dockerVersion;
  }

  /** Reads the layout under {@code cgroupRoot} (normally /sys/fs/cgroup). */
  public static CgroupLayout detect(Path cgroupRoot) {
    if (Files.exists(cgroupRoot.resolve("cgroup.controllers"))) {
      return V2;
    }
    if (Files.exists(cgroupRoot.resolve("unified/cgroup.controllers"))) {
      return HYBRID;
    }
    return V1;
  }
}
