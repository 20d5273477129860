package dev.berth.engine.pod;

/** CRI's {@code ContainerState}. */
public enum PodContainerState {
  CREATED, RUNNING, EXITED, UNKNOWN
}
