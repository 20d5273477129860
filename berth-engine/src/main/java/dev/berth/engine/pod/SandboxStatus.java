package dev.berth.engine.pod;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * PodSandboxStatus: the sandbox, its pod IP (empty when not ready or on the host's network),
 * further IPs, its namespace modes, and (for verbose answers) an info map of Berth's own.
 */
public record SandboxStatus(String id, PodMetadata metadata, SandboxState state, Instant createdAt, String ip,
    List<String> additionalIps, NamespaceOptions namespaces, Map<String, String> labels,
    Map<String, String> annotations, String runtimeHandler, Map<String, String> info) {
  /** The list form of this status. */
  public PodSandbox summary() {
    return new PodSandbox(id, metadata, state, createdAt, labels, annotations, runtimeHandler);
  }
}
