package dev.berth.engine.pod;

/** Whose namespace a container uses (CRI {@code NamespaceMode}). */
public enum NamespaceMode {
  /** The pod's (the sandbox's infra container's). */
  POD,
  /** One of the container's own. */
  CONTAINER,
  /** The host's. */
  NODE,
  /** Another container's, named by {@link NamespaceOptions#targetId()} (PID only). */
  TARGET
}
