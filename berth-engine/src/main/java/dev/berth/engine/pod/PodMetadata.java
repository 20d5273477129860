package dev.berth.engine.pod;

/** A sandbox's identity as kubelet gives it (CRI {@code PodSandboxMetadata}). */
public record PodMetadata(String name, String uid, String namespace, int attempt) {
  public PodMetadata {
    name = name == null ? "" : name;
    uid = uid == null ? "" : uid;
    namespace = namespace == null ? "" : namespace;
  }
}
