package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.command.CodedOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The storage options of {@code run} and {@code create} (volumes, bind mounts, tmpfs). */
public final class StorageOptions {
  final List<String> volumes = new ArrayList<>();
  final List<String> mounts = new ArrayList<>();
  final List<String> tmpfs = new ArrayList<>();
  final List<String> volumesFrom = new ArrayList<>();

  /** Declares these options on a command (see CodedOptions: no annotations, for start-up time). */
  void declare(CodedOptions o) {
    o.list(String.class, "[SOURCE:]PATH[:MODE]",
        "Bind mount a volume: NAME:/path (named volume), /host/path:/path (bind), /path (anonymous); "
            + "MODE ro, rw, nocopy, z, or a propagation",
        volumes, "-v", "--volume");
    o.list(String.class, "MOUNT",
        "Attach a filesystem mount: type=bind|volume|tmpfs,source=…,target=…[,readonly]"
            + "[,volume-nocopy][,tmpfs-size=…][,tmpfs-mode=…][,bind-propagation=…]",
        mounts, "--mount");
    o.list(String.class, "PATH[:OPTIONS]", "Mount a tmpfs directory (e.g. /run:size=64m)", tmpfs, "--tmpfs");
    o.list(String.class, "CONTAINER[:ro|:rw]", "Mount volumes from the specified container(s)",
        volumesFrom, "--volumes-from");
  }

  void addTo(ObjectNode body, ObjectNode host) {
    if (!volumesFrom.isEmpty()) {
      volumesFrom.forEach(host.putArray("VolumesFrom")::add);
    }
    if (!volumes.isEmpty()) {
      ArrayNode binds = host.putArray("Binds");
      volumes.forEach(v -> binds.add(absoluteSource(v)));
    }
    if (!mounts.isEmpty()) {
      ArrayNode list = host.putArray("Mounts");
      mounts.forEach(m -> list.add(MountFlag.parse(m)));
    }
    if (!tmpfs.isEmpty()) {
      ObjectNode t = host.putObject("Tmpfs");
      for (String spec : tmpfs) {
        int colon = spec.indexOf(':');
        t.put(colon < 0 ? spec : spec.substring(0, colon), colon < 0 ? "" : spec.substring(colon + 1));
      }
    }
  }

  /** docker turns a relative host path ("./data:/data") into an absolute one; names stay as they are. */
  static String absoluteSource(String spec) {
    int colon = spec.indexOf(':');
    if (colon > 0 && spec.startsWith(".")) {
      return Path.of(spec.substring(0, colon)).toAbsolutePath().normalize() + spec.substring(colon);
    }
    return spec;
  }
}
