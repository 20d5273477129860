package dev.berth.engine.pod;

/**
 * A bind mount of a host path into a pod container (CRI {@code Mount}). {@code selinuxRelabel}
 * is accepted and has no effect (no SELinux here).
 */
public record PodMount(String containerPath, String hostPath, boolean readonly, boolean selinuxRelabel,
    Propagation propagation, boolean recursiveReadOnly) {
  public enum Propagation {
    PRIVATE, HOST_TO_CONTAINER, BIDIRECTIONAL
  }

  public PodMount {
    propagation = propagation == null ? Propagation.PRIVATE : propagation;
  }
}
