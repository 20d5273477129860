package dev.berth.engine.pod;

import java.util.Map;
import java.util.Optional;

/** ListContainers' (and ListContainerStats') filter; every present part must match. */
public record ContainerFilter(Optional<String> id, Optional<PodContainerState> state, Optional<String> sandboxId,
    Map<String, String> labelSelector) {
  public static final ContainerFilter ALL = new ContainerFilter(Optional.empty(), Optional.empty(),
      Optional.empty(), Map.of());

  public ContainerFilter {
    id = id == null ? Optional.empty() : id.filter(s -> !s.isEmpty());
    state = state == null ? Optional.empty() : state;
    sandboxId = sandboxId == null ? Optional.empty() : sandboxId.filter(s -> !s.isEmpty());
    labelSelector = labelSelector == null ? Map.of() : Map.copyOf(labelSelector);
  }
}
