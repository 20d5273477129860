package dev.berth.engine.runtime.spec;

import java.util.List;

/** Capability sets by name, {@code CAP_} prefixed as the spec wants. */
public record Capabilities(
    List<String> bounding,
    List<String> effective,
    List<String> inheritable,
    List<String> permitted,
    List<String> ambient) {

  /**
   * Docker's shape: the same set in bounding, effective, permitted (and inheritable, as Docker
   * before 23 did; runc masks it for non-root exec anyway), none ambient.
   */
  public static Capabilities same(List<String> caps) {
    List<String> copy = List.copyOf(caps);
    return new Capabilities(copy, copy, copy, copy, null);
  }
}
