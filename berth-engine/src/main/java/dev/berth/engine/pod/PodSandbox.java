package dev.berth.engine.pod;

import java.time.Instant;
import java.util.Map;

/** A sandbox as ListPodSandbox shows it; {@code labels} are kubelet's, exactly as given. */
public record PodSandbox(String id, PodMetadata metadata, SandboxState state, Instant createdAt,
    Map<String, String> labels, Map<String, String> annotations, String runtimeHandler) {
}
