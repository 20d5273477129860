package dev.berth.engine.pod;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ContainerStatus. Times absent = not reached yet (CRI sends 0). {@code reason} is
 * "Completed", "Error" or "OOMKilled" once exited, else empty.
 *
 * @param uid the process's user, where known
 */
public record PodContainerStatus(String id, String sandboxId, ContainerMetadata metadata, PodContainerState state,
    Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt, int exitCode, String image,
    String imageRef, String reason, String message, Map<String, String> labels, Map<String, String> annotations,
    List<PodMount> mounts, String logPath, LinuxResources resources, User user, Map<String, String> info) {

  /** The process's user as the runtime resolved it. */
  public record User(long uid, long gid, List<Long> supplementalGroups) {
  }

  /** The list form of this status. */
  public PodContainer summary() {
    return new PodContainer(id, sandboxId, metadata, image, imageRef, state, createdAt, labels, annotations);
  }
}
