package dev.berth.engine.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where conmon keeps one container's runtime files, under {@code <exec-root>/conmon/<id>/}:
 * they die with the machine, as the container does. The attach socket lives in the bundle (conmon
 * puts it there) and is reached through conmon's short symlink {@link #attachDir()}.
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

  /**
   * conmon's symlink to the bundle, {@code <socket-dir>/<id>}, through which the attach socket and
   * the control fifo are reached. conmon cuts the name short when that path would not fit a socket
   * address (a long exec-root), so the entry whose name starts the id is the one.
   */
  public Path attachDir() {
    Path full = socketDir.resolve(id);
    if (Files.exists(full, LinkOption.NOFOLLOW_LINKS)) {
      return full;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(socketDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.length() >= 12 && id.startsWith(name)) {
          return entry;
        }
      }
    } catch (IOException e) {
      // no socket dir yet: conmon has not made the link
    }
    return full;
  }

  /** conmon's control fifo (resize, log reopen), beside the attach socket. */
  public Path controlFifo() {
    return attachDir().resolve("ctl");
  }

  /** SOCK_SEQPACKET socket: 1-byte stream id then data out; raw stdin in. */
  public Path attachSocket() {
    return attachDir().resolve("attach");
  }

  public Path execDir(String execId) {
    return dir.resolve("exec").resolve(execId);
  }
}
