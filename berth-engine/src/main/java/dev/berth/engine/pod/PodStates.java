package dev.berth.engine.pod;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerState;
import java.time.Instant;
import java.util.Optional;

/** Berth's container states in CRI's words (pure, unit-tested). */
final class PodStates {
  private PodStates() {}

  /** One container's state, times, exit code, reason and message as ContainerStatus carries them. */
  record Status(PodContainerState state, Optional<Instant> startedAt, Optional<Instant> finishedAt, int exitCode,
      String reason, String message) {}

  static Status of(Container c) {
    return switch (c.state()) {
      case ContainerState.Created x -> new Status(PodContainerState.CREATED, Optional.empty(), Optional.empty(), 0, "",
          "");
      case ContainerState.Running r -> new Status(PodContainerState.RUNNING, Optional.of(r.startedAt()),
          Optional.empty(), 0, "", "");
      case ContainerState.Exited e -> new Status(PodContainerState.EXITED, time(e.startedAt()), time(e.finishedAt()),
          e.exitCode(), e.oomKilled() ? "OOMKilled" : e.exitCode() == 0 ? "Completed" : "Error",
          e.error() == null ? "" : e.error());
      case ContainerState.Restarting r -> new Status(PodContainerState.EXITED, time(r.startedAt()),
          time(r.finishedAt()), r.exitCode(), r.exitCode() == 0 ? "Completed" : "Error", "");
      case ContainerState.Removing x -> new Status(PodContainerState.UNKNOWN, Optional.empty(), Optional.empty(), 0,
          "", "");
    };
  }

  /** Berth keeps the epoch for "never" (a start that failed before the process ran). */
  private static Optional<Instant> time(Instant t) {
    return t == null || t.equals(Instant.EPOCH) ? Optional.empty() : Optional.of(t);
  }

  /** A sandbox without an infra container: ready from its start until stopped (decision 2100). */
  static SandboxState pinnedState(SandboxRecord r) {
    return !r.stopped() && (r.hostNetwork() || r.networkUp()) ? SandboxState.READY : SandboxState.NOTREADY;
  }

  static SandboxState sandboxState(Container infra, SandboxRecord r) {
    boolean networked = r.hostNetwork() || r.networkUp();
    return infra.running() && networked ? SandboxState.READY : SandboxState.NOTREADY;
  }
}
