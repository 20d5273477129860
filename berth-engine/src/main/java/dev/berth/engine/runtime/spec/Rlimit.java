package dev.berth.engine.runtime.spec;

/** One POSIX rlimit, e.g. {@code RLIMIT_NOFILE}. */
public record Rlimit(String type, long hard, long soft) {
  public Rlimit {
    if (soft > hard) {
      throw new IllegalArgumentException(type + ": soft limit " + soft + " exceeds hard limit " + hard);
    }
  }
}
