package dev.berth.engine.runtime;

import java.nio.file.Path;

/**
 * Where conmon keeps one container's runtime files, under {@code <exec-root>/conmon/<id>/}:
 * they die with the machine, as the container does. The attach socket lives in the bundle (conmon
 * puts it there) and is reached through the short symlink {@link #attachSocket()}.
 */
public record ConmonPaths(Path dir, Path socketDir, String id) {
  /** Layout for container {@code id} below {@code execRoot}. */
  public static ConmonPaths of(Path execRoot, String id) {
    Path root = execRoot.toAbsolutePath();
    return new ConmonPaths(root.resolve("conmon").resolve(id), root.resolve("attach"), id);
  }

  public Path conmonPidFile() {
    return dir.resolve("conmon.pid");
  }

  public Path containerPidFile() {
    return dir.resolve("container.pid");
  }

  public Path exitDir() {
    return dir.resolve("exit");
  }

  /** conmon names the exit file after the container id (-c). */
  public Path exitFile() {
    return exitDir().resolve(id);
  }

  public Path persistDir() {
    return dir.resolve("persist");
  }

  /** The runtime's own log (--log, JSON lines): where create/exec failures are explained. */
  public Path runtimeLog() {
    return dir.resolve("runtime.log");
  }

  /** SOCK_SEQPACKET socket: 1-byte stream id then data out; raw stdin in. */
  public Path attachSocket() {
    return socketDir.resolve(id).resolve("attach");
  }

  public Path execDir(String execId) {
    return dir.resolve("exec").resolve(execId);
  }
}
