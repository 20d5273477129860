package dev.berth.engine.pod;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One GetContainerEvents item: what happened to which container, with the sandbox's status and
 * its containers' statuses as they were then (absent once the sandbox is gone).
 */
public record PodContainerEvent(String containerId, Type type, Instant createdAt, Optional<SandboxStatus> sandbox,
    List<PodContainerStatus> containers) {
  public enum Type {
    CREATED, STARTED, STOPPED, DELETED
  }
}
