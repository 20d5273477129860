package dev.berth.engine.pod;

import java.util.Map;
import java.util.Optional;

/** ListPodSandbox's filter: an ID (or unique prefix), a state, labels that must all match. */
public record SandboxFilter(Optional<String> id, Optional<SandboxState> state, Map<String, String> labelSelector) {
  public static final SandboxFilter ALL = new SandboxFilter(Optional.empty(), Optional.empty(), Map.of());

  public SandboxFilter {
    id = id == null ? Optional.empty() : id.filter(s -> !s.isEmpty());
    state = state == null ? Optional.empty() : state;
    labelSelector = labelSelector == null ? Map.of() : Map.copyOf(labelSelector);
  }
}
