package dev.berth.engine.vm;

/** Where a VM is in its life. Running and Paused have a live QEMU process. */
public sealed interface VmState {
  String name();

  record Created() implements VmState {
    public String name() {
      return "created";
    }
  }

  record Running(long pid) implements VmState {
    public String name() {
      return "running";
    }
  }

  record Paused(long pid) implements VmState {
    public String name() {
      return "paused";
    }
  }

  record Stopped() implements VmState {
    public String name() {
      return "stopped";
    }
  }

  static VmState of(String name, long pid) {
    return switch (name) {
      case "created" -> new Created();
      case "running" -> new Running(pid);
      case "paused" -> new Paused(pid);
      default -> new Stopped();
    };
  }

  /** QEMU's pid while it runs, else 0. */
  default long pid() {
    return switch (this) {
      case Running r -> r.pid();
      case Paused p -> p.pid();
      default -> 0;
    };
  }

  default boolean hasProcess() {
    return this instanceof Running || this instanceof Paused;
  }
}
