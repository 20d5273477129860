package dev.berth.engine.pod;

/** One environment variable (CRI {@code KeyValue}). */
public record EnvVar(String key, String value) {
  public EnvVar {
    value = value == null ? "" : value;
  }
}
