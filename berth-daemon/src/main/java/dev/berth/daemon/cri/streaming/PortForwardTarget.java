package dev.berth.daemon.cri.streaming;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a CRI {@code PortForward} asked for: connections to ports on the pod's loopback. The pod's
 * network namespace is {@code netns} when the caller knows it (a bound namespace file); else
 * {@code podSandboxId} names a running Berth container whose namespace is used (its init's
 * {@code /proc/<pid>/ns/net}). {@code ports} are the request's ports (kubelet uses them only for
 * WebSocket clients, which name no port per stream).
 */
public record PortForwardTarget(String podSandboxId, Optional<Path> netns, List<Integer> ports) {
  public PortForwardTarget {
    ports = List.copyOf(ports);
  }

  /** The pod is the running container {@code id} (its network namespace is its init's). */
  public static PortForwardTarget ofContainer(String id, List<Integer> ports) {
    return new PortForwardTarget(id, Optional.empty(), ports);
  }

  /** The pod {@code podSandboxId} whose network namespace is bound on {@code netns}. */
  public static PortForwardTarget ofNetns(String podSandboxId, Path netns, List<Integer> ports) {
    return new PortForwardTarget(podSandboxId, Optional.of(netns), ports);
  }
}
