package dev.berth.engine.pod;

/** CRI's {@code PodSandboxState}: ready while the infra container runs. */
public enum SandboxState {
  READY, NOTREADY
}
