package dev.berth.engine.pod;

/** A host device given to a pod container (CRI {@code Device}); permissions as cgroup's "rwm". */
public record PodDevice(String containerPath, String hostPath, String permissions) {
  public PodDevice {
    permissions = permissions == null || permissions.isEmpty() ? "rwm" : permissions;
  }
}
