package dev.berth.engine.runtime.spec;

import java.util.List;
import java.util.Map;

/** The Linux-specific part of the spec. */
public record Linux(
    List<IdMapping> uidMappings,
    List<IdMapping> gidMappings,
    Map<String, String> sysctl,
    Resources resources,
    String cgroupsPath,
    List<Namespace> namespaces,
    List<Device> devices,
    Seccomp seccomp,
    String rootfsPropagation,
    List<String> maskedPaths,
    List<String> readonlyPaths) {

  /** A user-namespace id range. */
  public record IdMapping(long containerID, long hostID, long size) {}
}
