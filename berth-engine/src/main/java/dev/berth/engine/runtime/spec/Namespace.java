package dev.berth.engine.runtime.spec;

/**
 * A namespace to create ({@code path} null) or to join ({@code path} = /proc/PID/ns/... or a
 * bind-mounted namespace file). Types: pid, network, mount, ipc, uts, user, cgroup.
 */
public record Namespace(String type, String path) {
  public static Namespace create(String type) {
    return new Namespace(type, null);
  }
}
