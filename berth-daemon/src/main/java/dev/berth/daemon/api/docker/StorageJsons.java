package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerStorage;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountRequest;
import dev.berth.engine.volume.MountType;
import dev.berth.engine.volume.VolumeService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The storage parts of Docker's container JSON (create body's Binds/Mounts/Tmpfs, inspect's Mounts). */
final class StorageJsons {
  private StorageJsons() {}

  static ContainerStorage fromCreate(JsonNode body) {
    JsonNode host = body.path("HostConfig");
    List<String> binds = new ArrayList<>();
    host.path("Binds").forEach(b -> binds.add(b.asText()));
    List<MountRequest> mounts = new ArrayList<>();
    host.path("Mounts").forEach(m -> mounts.add(mount(m)));
    Map<String, String> tmpfs = new LinkedHashMap<>();
    host.path("Tmpfs").properties().forEach(e -> tmpfs.put(e.getKey(), e.getValue().asText("")));
    List<String> volumesFrom = new ArrayList<>();
    host.path("VolumesFrom").forEach(v -> volumesFrom.add(v.asText()));
    List<String> volumes = new ArrayList<>();
    body.path("Volumes").fieldNames().forEachRemaining(volumes::add);
    return new ContainerStorage(binds, mounts, tmpfs, volumesFrom, List.of(), volumes);
  }

  /** One HostConfig.Mounts entry. */
  static MountRequest mount(JsonNode m) {
    String type = m.path("Type").asText("");
    if (type.isEmpty()) {
      throw new BerthException.InvalidArgument("invalid mount config: field Type must not be empty "
          + "(bind, volume or tmpfs)");
    }
    JsonNode vol = m.path("VolumeOptions");
    JsonNode tmpfs = m.path("TmpfsOptions");
    // ReadOnlyNonRecursive is what a ReadOnly bind is here without ReadOnlyForceRecursive (as in
    // dockerd 20.10), so it is taken and changes nothing
    for (String f : List.of("NonRecursive", "CreateMountpoint")) {
      refuse(m.path("BindOptions"), "BindOptions", f, "Berth's binds are recursive and need an existing source");
    }
    refuse(tmpfs, "TmpfsOptions", "Options", "use the tmpfs size and mode, or HostConfig.Tmpfs for other options");
    refuse(m, "", "ImageOptions", "image mounts are not supported by Berth");
    refuse(m, "", "ClusterOptions", "cluster volumes need a swarm");
    return new MountRequest(MountType.parse(type), m.path("Source").asText(""), m.path("Target").asText(""),
        m.path("ReadOnly").asBoolean(false), m.path("BindOptions").path("Propagation").asText(""),
        vol.path("NoCopy").asBoolean(false), strings(vol.path("Labels")), vol.path("DriverConfig").path("Name").asText(""),
        strings(vol.path("DriverConfig").path("Options")), tmpfs.path("SizeBytes").asLong(0),
        tmpfs.path("Mode").asInt(0), vol.path("Subpath").asText(""),
        m.path("BindOptions").path("ReadOnlyForceRecursive").asBoolean(false));
  }

  private static void refuse(JsonNode parent, String where, String field, String reason) {
    if (RefusedCreateFields.set(parent.get(field))) {
      throw new BerthException.InvalidArgument("HostConfig.Mounts: " + (where.isEmpty() ? "" : where + ".") + field
          + " is not supported: " + reason);
    }
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Inspect's and the list's {@code Mounts}: Docker leaves --tmpfs mounts out. */
  static List<Map<String, Object>> mounts(ContainerStorage s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (MountPoint p : s.mountPoints()) {
      if (!p.listed()) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Type", p.type().apiName());
      if (p.type() == MountType.VOLUME) {
        m.put("Name", p.name());
      }
      m.put("Source", p.source());
      m.put("Destination", p.destination());
      if (p.type() == MountType.VOLUME) {
        m.put("Driver", VolumeService.LOCAL);
      }
      m.put("Mode", p.mode());
      m.put("RW", p.rw());
      m.put("Propagation", p.propagation());
      out.add(m);
    }
    return out;
  }

  /** HostConfig's Binds (null when none, as Docker), Mounts and Tmpfs (absent when none). */
  static void putHostConfig(Map<String, Object> h, ContainerStorage s) {
    h.put("Binds", s.binds().isEmpty() ? null : s.binds());
    if (!s.mounts().isEmpty()) {
      List<Map<String, Object>> mounts = new ArrayList<>();
      for (MountRequest r : s.mounts()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Type", r.type().apiName());
        if (!r.source().isEmpty()) {
          m.put("Source", r.source()); // dockerd leaves an anonymous volume's empty source out
        }
        m.put("Target", r.target());
        if (r.readOnly()) {
          m.put("ReadOnly", true);
        }
        if (!r.propagation().isEmpty() || r.readOnlyForceRecursive()) {
          Map<String, Object> b = new LinkedHashMap<>();
          if (!r.propagation().isEmpty()) {
            b.put("Propagation", r.propagation());
          }
          if (r.readOnlyForceRecursive()) {
            b.put("ReadOnlyForceRecursive", true);
          }
          m.put("BindOptions", b);
        }
        if (r.type() == MountType.VOLUME && (r.noCopy() || !r.volumeLabels().isEmpty() || !r.volumeDriver().isEmpty()
            || !r.volumeSubpath().isEmpty())) {
          Map<String, Object> v = new LinkedHashMap<>();
          v.put("NoCopy", r.noCopy());
          v.put("Labels", r.volumeLabels());
          if (!r.volumeSubpath().isEmpty()) {
            v.put("Subpath", r.volumeSubpath());
          }
          if (!r.volumeDriver().isEmpty()) {
            v.put("DriverConfig", Map.of("Name", r.volumeDriver(), "Options", r.volumeOptions()));
          }
          m.put("VolumeOptions", v);
        }
        if (r.type() == MountType.TMPFS && (r.tmpfsSizeBytes() > 0 || r.tmpfsMode() != 0)) {
          Map<String, Object> t = new LinkedHashMap<>();
          if (r.tmpfsSizeBytes() > 0) {
            t.put("SizeBytes", r.tmpfsSizeBytes());
          }
          if (r.tmpfsMode() != 0) {
            t.put("Mode", r.tmpfsMode());
          }
          m.put("TmpfsOptions", t);
        }
        mounts.add(m);
      }
      h.put("Mounts", mounts);
    }
    if (!s.tmpfs().isEmpty()) {
      h.put("Tmpfs", s.tmpfs());
    }
    h.put("VolumesFrom", s.volumesFrom().isEmpty() ? null : s.volumesFrom());
  }

  /** Config.Volumes: the anonymous volumes' paths (the image's VOLUMEs and -v /path), null when none. */
  static Map<String, Object> configVolumes(ContainerStorage s) {
    Map<String, Object> v = new LinkedHashMap<>();
    s.mountPoints().stream().filter(MountPoint::anonymous).forEach(p -> v.put(p.destination(), Map.of()));
    return v.isEmpty() ? null : v;
  }
}
