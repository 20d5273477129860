package dev.berth.engine.container;

import dev.berth.engine.BerthException;

/** What a process that could not start means to a client: Docker's exit codes and error classes. */
final class StartFailures {
  private StartFailures() {}

  /** Docker's exit codes for a process that cannot run: 127 not found, 126 not executable. */
  static int exitCode(String message) {
    String m = message == null ? "" : message;
    if (m.contains("chdir to cwd")) {
      return 126; // a missing working directory: dockerd's 126, though the message says "no such file"
    }
    if (m.contains("executable file not found") || m.contains("no such file or directory")) {
      return 127;
    }
    if (m.contains("permission denied")) {
      return 126;
    }
    return 128;
  }

  /** The runtime's words about a process that cannot run are the client's mistake (400), as dockerd's. */
  static RuntimeException asApiError(RuntimeException e) {
    if (e instanceof BerthException.InvalidArgument || e instanceof BerthException.Unavailable
        || e instanceof BerthException.NotFound || e instanceof BerthException.Conflict) {
      return e;
    }
    return exitCode(e.getMessage()) != 128
        ? new BerthException.InvalidArgument("failed to create task for container: OCI runtime create failed: "
            + e.getMessage() + ": unknown")
        : e;
  }
}
