package dev.berth.engine.container;

import java.time.Instant;

/** Where a container is in its life; Docker's State.Status is {@link #status()}. */
public sealed interface ContainerState {
  String status();

  /** Created, never started. */
  record Created() implements ContainerState {
    public String status() {
      return "created";
    }
  }

  /** Its process runs under conmon. */
  record Running(int pid, Instant startedAt) implements ContainerState {
    public String status() {
      return "running";
    }
  }

  /** Its process ended (or never started: {@code error} says why). */
  record Exited(int exitCode, Instant startedAt, Instant finishedAt, boolean oomKilled, String error)
      implements ContainerState {
    public String status() {
      return "exited";
    }
  }

  /** Being removed. */
  record Removing() implements ContainerState {
    public String status() {
      return "removing";
    }
  }
}
