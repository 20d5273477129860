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

  /**
   * Its process runs under conmon. A paused container (its cgroup frozen) is still running, as in
   * Docker, where State.Running and State.Paused are both true; only {@link #status()} differs.
   */
  record Running(int pid, Instant startedAt, boolean paused) implements ContainerState {
    public Running(int pid, Instant startedAt) {
      this(pid, startedAt, false);
    }

    public String status() {
      return paused ? "paused" : "running";
    }

    public Running withPaused(boolean paused) {
      return new Running(pid, startedAt, paused);
    }
  }

  /** Its process ended (or never started: {@code error} says why). */
  record Exited(int exitCode, Instant startedAt, Instant finishedAt, boolean oomKilled, String error)
      implements ContainerState {
    public String status() {
      return "exited";
    }
  }

  /**
   * Its process ended and its restart policy starts it again after a back-off (Docker's
   * "restarting": State.Running and State.Restarting are both true, there is no pid).
   */
  record Restarting(int exitCode, Instant startedAt, Instant finishedAt) implements ContainerState {
    public String status() {
      return "restarting";
    }
  }

  /** Being removed. */
  record Removing() implements ContainerState {
    public String status() {
      return "removing";
    }
  }
}
