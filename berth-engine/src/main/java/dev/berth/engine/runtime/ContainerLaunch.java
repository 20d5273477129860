package dev.berth.engine.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What conmon needs to create one container.
 *
 * @param id the container id (64 hex in Berth); also conmon's -c and -u
 * @param name the container's name, for conmon's logs
 * @param bundle the bundle holding config.json; conmon puts its attach socket, ctl and winsz fifos
 *     there
 * @param logPath where conmon writes the container's output in the k8s-file format
 * @param logSizeMax bytes after which conmon truncates the log, or {@code -1} for no limit
 * @param terminal allocate a pty (the spec's process.terminal must match)
 * @param stdin keep a stdin pipe open for attach
 * @param leaveStdinOpen keep the container's stdin open when an attached client closes its input;
 *     false gives Docker's StdinOnce ({@code echo hi | run -i image cat} sees end of input)
 */
public record ContainerLaunch(
    String id, String name, Bundle bundle, Path logPath, long logSizeMax, boolean terminal, boolean stdin,
    boolean leaveStdinOpen) {
  public ContainerLaunch {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(logPath, "logPath");
    name = name == null ? id : name;
    logPath = logPath.toAbsolutePath();
  }

  /** A launch whose stdin (if any) stays open across attaches. */
  public ContainerLaunch(
      String id, String name, Bundle bundle, Path logPath, long logSizeMax, boolean terminal, boolean stdin) {
    this(id, name, bundle, logPath, logSizeMax, terminal, stdin, true);
  }

  /** A detached, non-tty container without a log size limit. */
  public static ContainerLaunch of(String id, Bundle bundle, Path logPath) {
    return new ContainerLaunch(id, id, bundle, logPath, -1, false, false);
  }
}
