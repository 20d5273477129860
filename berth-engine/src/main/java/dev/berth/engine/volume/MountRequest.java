package dev.berth.engine.volume;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * One entry of Docker's {@code HostConfig.Mounts} ({@code --mount}), as given.
 *
 * @param propagation a bind's propagation (rprivate when empty)
 * @param noCopy a volume: do not fill a new volume with the image's content
 * @param volumeDriver a volume's driver when it has to be created (local when empty)
 * @param tmpfsSizeBytes 0 = unlimited (the kernel's default of half the memory)
 * @param tmpfsMode file mode bits of the tmpfs root; 0 = the kernel's default (1777)
 * @param volumeSubpath a volume: mount this directory of it instead of its root (API 1.45); "" = the root
 * @param readOnlyForceRecursive a read-only bind whose submounts are read-only too (API 1.44's
 *     {@code BindOptions.ReadOnlyForceRecursive}, CRI's {@code recursive_read_only}; runc's "rro")
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MountRequest(MountType type, String source, String target, boolean readOnly, String propagation,
    boolean noCopy, Map<String, String> volumeLabels, String volumeDriver, Map<String, String> volumeOptions,
    long tmpfsSizeBytes, int tmpfsMode, String volumeSubpath, boolean readOnlyForceRecursive) {
  public MountRequest {
    volumeSubpath = volumeSubpath == null ? "" : volumeSubpath;
    source = source == null ? "" : source;
    target = target == null ? "" : target;
    propagation = propagation == null ? "" : propagation;
    volumeLabels = volumeLabels == null ? Map.of() : Map.copyOf(volumeLabels);
    volumeDriver = volumeDriver == null ? "" : volumeDriver;
    volumeOptions = volumeOptions == null ? Map.of() : Map.copyOf(volumeOptions);
  }

  public MountRequest(MountType type, String source, String target, boolean readOnly, String propagation,
      boolean noCopy, Map<String, String> volumeLabels, String volumeDriver, Map<String, String> volumeOptions,
      long tmpfsSizeBytes, int tmpfsMode) {
    this(type, source, target, readOnly, propagation, noCopy, volumeLabels, volumeDriver, volumeOptions,
        tmpfsSizeBytes, tmpfsMode, "", false);
  }

  public MountRequest(MountType type, String source, String target, boolean readOnly, String propagation,
      boolean noCopy, Map<String, String> volumeLabels, String volumeDriver, Map<String, String> volumeOptions,
      long tmpfsSizeBytes, int tmpfsMode, String volumeSubpath) {
    this(type, source, target, readOnly, propagation, noCopy, volumeLabels, volumeDriver, volumeOptions,
        tmpfsSizeBytes, tmpfsMode, volumeSubpath, false);
  }
}
