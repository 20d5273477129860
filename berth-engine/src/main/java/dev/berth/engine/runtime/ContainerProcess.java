package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.ProcessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A container supervised by conmon: created by {@link Conmon#create}, or found again by
 * {@link Conmon#reattach}. Holds no OS resources itself; dropping it leaves the container and its
 * conmon running.
 */
public final class ContainerProcess {
  private final Conmon conmon;
  private final String id;
  private final ConmonPaths paths;
  private final int conmonPid;
  private final int pid;

  ContainerProcess(Conmon conmon, String id, ConmonPaths paths, int conmonPid, int pid) {
    this.conmon = conmon;
    this.id = id;
    this.paths = paths;
    this.conmonPid = conmonPid;
    this.pid = pid;
  }

  public String id() {
    return id;
  }

  /** Host pid of the container's init process. */
  public int pid() {
    return pid;
  }

  public int conmonPid() {
    return conmonPid;
  }

  public ConmonPaths paths() {
    return paths;
  }

  /** Lets the created container run its process. */
  public void start() {
    conmon.runtime().start(id, pid);
  }

  public RuntimeState state() {
    return conmon.runtime().state(id);
  }

  /**
   * Sends {@code signal} (e.g. 15) to the container's init. SIGKILL goes straight to the init's
   * pid (the JDK checks the process's start time, so a reused pid is not hit): what {@code runc
   * kill} does, without starting a runc process (10–50 ms here). Other signals go through runc.
   */
  public void kill(int signal) {
    if (signal == 9) {
      Optional<ProcessHandle> init = ProcessHandle.of(pid);
      if (init.isPresent() && init.get().destroyForcibly()) {
        return;
      }
    }
    conmon.runtime().kill(id, signal, false);
  }

  public boolean conmonRunning() {
    return Pids.isRunning(conmonPid);
  }

  /**
   * The exit code conmon recorded: the process's status, or 128+signal when a signal ended it.
   * Empty while the container runs.
   */
  public OptionalInt exitCode() {
    return Pids.readNumber(paths.exitFile());
  }

  /** Waits for the exit file; empty if the container still runs after {@code timeout}. */
  public OptionalInt waitExit(Duration timeout) {
    Poll.until(timeout, () -> Files.exists(paths.exitFile()));
    return exitCode();
  }

  /** Connects to conmon's attach socket (see {@link AttachSession}). */
  public AttachSession attach() throws IOException {
    return AttachSession.connect(paths.attachSocket());
  }

  /**
   * Resizes the container's pty through conmon's ctl fifo ({@code "1 <height> <width>\n"}).
   * The fifo sits in the bundle, reached through conmon's socket-dir symlink.
   */
  public void resize(int height, int width) throws IOException {
    writeControl("1 " + height + " " + width + "\n");
  }

  /** Makes conmon reopen its log file (after the log was rotated away). */
  public void reopenLog() throws IOException {
    writeControl("2 0 0\n");
  }

  /**
   * As {@link #reopenLog()}, and returns once conmon has reopened: conmon answers the fifo in its
   * own loop and puts a new file (a new inode, made beside and renamed into place) at {@code log}.
   * False when no new file appeared within {@code timeout}.
   */
  public boolean reopenLogAndWait(Path log, Duration timeout) throws IOException {
    Object before = fileKey(log);
    reopenLog();
    return Poll.until(timeout, 10, () -> {
      Object now = fileKey(log);
      return now != null && !now.equals(before);
    });
  }

  /** The file's identity (device and inode), null when there is none. */
  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException absent) {
      return null;
    }
  }

  private void writeControl(String message) throws IOException {
    if (!conmonRunning()) {
      // Opening a fifo without a reader would block forever.
      throw new BerthException.Conflict("container " + id + " is not running under conmon any more");
    }
    Path ctl = paths.controlFifo();
    // Read-write: opening a fifo so never blocks (fifo(7)), even if conmon exits after the check above.
    try (var ch = java.nio.channels.FileChannel.open(ctl, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(message.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
  }

  /** Starts a process with a terminal in the running container, its output attached (see {@link ConmonExec}). */
  public ConmonExec execWithTerminal(ProcessSpec process, boolean stdin) {
    return conmon.execAttached(paths, process, stdin);
  }

  /** Runs a process in the running container and waits for it (see {@link Conmon}). */
  public ExecResult exec(ProcessSpec process, Duration timeout) {
    return conmon.exec(paths, process, timeout);
  }

  /**
   * Removes the container from the runtime (killing it if needed), waits for conmon to finish
   * and deletes the runtime files. Idempotent.
   */
  public void delete() {
    try {
      conmon.runtime().delete(id, true);
    } catch (BerthException.NotFound alreadyGone) {
      // Deleted before, or create never finished.
    }
    if (!Poll.until(Duration.ofSeconds(5), () -> !Pids.isRunning(conmonPid))) {
      ProcessHandle.of(conmonPid).ifPresent(ProcessHandle::destroyForcibly);
    }
    removeSymlink(paths.attachDir());
    FileTrees.deleteQuietly(paths.dir());
  }

  private static void removeSymlink(Path link) {
    try {
      Files.deleteIfExists(link);
    } catch (IOException ignored) {
      // conmon removes it itself on a clean exit.
    }
  }

  @Override
  public String toString() {
    return "container " + id + " (pid " + pid + ", conmon " + conmonPid + ")";
  }
}
