package dev.berth.engine.pod;

/** A pod container's identity within its sandbox (CRI {@code ContainerMetadata}). */
public record ContainerMetadata(String name, int attempt) {
  public ContainerMetadata {
    name = name == null ? "" : name;
  }
}
