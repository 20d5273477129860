package dev.berth.engine.pod;

/** The network, PID and IPC namespace choices of a sandbox or container (CRI {@code NamespaceOption}). */
public record NamespaceOptions(NamespaceMode network, NamespaceMode pid, NamespaceMode ipc, String targetId) {
  /** CRI's defaults (every field zero): all three shared in the pod. */
  public static final NamespaceOptions DEFAULT = new NamespaceOptions(NamespaceMode.POD, NamespaceMode.POD,
      NamespaceMode.POD, "");

  public NamespaceOptions {
    network = network == null ? NamespaceMode.POD : network;
    pid = pid == null ? NamespaceMode.POD : pid;
    ipc = ipc == null ? NamespaceMode.POD : ipc;
    targetId = targetId == null ? "" : targetId;
  }
}
