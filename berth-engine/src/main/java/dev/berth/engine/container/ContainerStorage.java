package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountRequest;
import java.util.List;
import java.util.Map;

/**
 * A container's mounts besides its rootfs: volumes, bind mounts, tmpfs.
 *
 * @param binds Docker's -v strings as given ("name:/path:ro", "/host:/path")
 * @param mounts Docker's HostConfig.Mounts (--mount) as given
 * @param tmpfs Docker's HostConfig.Tmpfs (--tmpfs): container path → options
 * @param volumesFrom Docker's HostConfig.VolumesFrom: "container[:ro|:rw]"
 * @param mountPoints what the above and the image's VOLUMEs became at create (volumes named,
 *     sources resolved); empty until the container is created
 * @param volumes Docker's Config.Volumes: paths that get anonymous volumes, as an image's VOLUMEs
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerStorage(List<String> binds, List<MountRequest> mounts, Map<String, String> tmpfs,
    List<String> volumesFrom, List<MountPoint> mountPoints, List<String> volumes) {
  public static final ContainerStorage NONE = new ContainerStorage(List.of(), List.of(), Map.of(), List.of(),
      List.of());

  public ContainerStorage {
    binds = binds == null ? List.of() : List.copyOf(binds);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    tmpfs = tmpfs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tmpfs));
    volumesFrom = volumesFrom == null ? List.of() : List.copyOf(volumesFrom);
    mountPoints = mountPoints == null ? List.of() : List.copyOf(mountPoints);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
  }

  public ContainerStorage(List<String> binds, List<MountRequest> mounts, Map<String, String> tmpfs,
      List<String> volumesFrom, List<MountPoint> mountPoints) {
    this(binds, mounts, tmpfs, volumesFrom, mountPoints, List.of());
  }

  /** What was asked, without the resolved mount points. */
  public ContainerStorage(List<String> binds, List<MountRequest> mounts, Map<String, String> tmpfs,
      List<String> volumesFrom) {
    this(binds, mounts, tmpfs, volumesFrom, List.of(), List.of());
  }

  ContainerStorage withMountPoints(List<MountPoint> points) {
    return new ContainerStorage(binds, mounts, tmpfs, volumesFrom, points, volumes);
  }

  /** Whether the container mounts the named volume. */
  public boolean usesVolume(String name) {
    return mountPoints.stream().anyMatch(m -> m.name().equals(name));
  }
}
