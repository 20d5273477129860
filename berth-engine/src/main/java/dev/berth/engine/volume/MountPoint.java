package dev.berth.engine.volume;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One mount of a container as it is set up at start (Docker's MountPoint): where a -v, --mount,
 * --tmpfs or image VOLUME ended up.
 *
 * @param name the volume's name (empty for binds and tmpfs)
 * @param source the host path: a bind's source or the volume's mountpoint; empty for tmpfs
 * @param mode what inspect shows as Mode (Docker: the -v mode string, "z" for -v volumes)
 * @param propagation rprivate (binds) or empty
 * @param copyUp fill the volume with the image's content at {@code destination} while it is empty
 * @param tmpfsOptions mount options of a tmpfs (noexec,nosuid,nodev and the user's)
 * @param anonymous a volume made for this container alone (rm -v and --rm remove it)
 * @param listed shown in inspect's Mounts (Docker leaves --tmpfs mounts out)
 * @param subpath a volume's directory mounted instead of its root (relative; "" = the root)
 * @param recursiveReadOnly a read-only bind whose submounts are made read-only too (runc's "rro")
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MountPoint(MountType type, String name, String source, String destination, boolean rw, String mode,
    String propagation, boolean copyUp, List<String> tmpfsOptions, boolean anonymous, boolean listed,
    String subpath, boolean recursiveReadOnly) {
  public MountPoint {
    subpath = subpath == null ? "" : subpath;
    name = name == null ? "" : name;
    source = source == null ? "" : source;
    mode = mode == null ? "" : mode;
    propagation = propagation == null ? "" : propagation;
    tmpfsOptions = tmpfsOptions == null ? List.of() : List.copyOf(tmpfsOptions);
  }

  public MountPoint(MountType type, String name, String source, String destination, boolean rw, String mode,
      String propagation, boolean copyUp, List<String> tmpfsOptions, boolean anonymous, boolean listed) {
    this(type, name, source, destination, rw, mode, propagation, copyUp, tmpfsOptions, anonymous, listed, "", false);
  }

  public MountPoint(MountType type, String name, String source, String destination, boolean rw, String mode,
      String propagation, boolean copyUp, List<String> tmpfsOptions, boolean anonymous, boolean listed,
      String subpath) {
    this(type, name, source, destination, rw, mode, propagation, copyUp, tmpfsOptions, anonymous, listed, subpath,
        false);
  }

  MountPoint withVolume(String name, String source) {
    return new MountPoint(type, name, source, destination, rw, mode, propagation, copyUp, tmpfsOptions, anonymous,
        listed, subpath, recursiveReadOnly);
  }

  /** The host path the container sees: the source, or its subpath directory. */
  public String mountedSource() {
    return subpath.isEmpty() ? source : source + "/" + subpath;
  }
}
