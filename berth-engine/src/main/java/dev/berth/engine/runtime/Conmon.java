package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.SpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts one conmon per container, as CRI-O and Podman do. conmon forks twice and calls
 * setsid, so it is not our child and outlives the JVM; it runs {@code <runtime> create}, holds the
 * container's stdio, writes the log (k8s-file) and, when the container exits, its exit code to
 * {@code <exit-dir>/<id>} (temp file + rename).
 *
 * <p>We pass no sync pipe: ProcessBuilder cannot hand a child extra file descriptors. Instead we
 * wait for conmon's launcher to exit (it has written conmon's pidfile by then), then poll with a
 * deadline until the runtime's pidfile and conmon's control fifo appear (created, and conmon ready
 * for attach) or conmon is gone (failed; the reason is
 * in the runtime's --log file, which conmon's own stderr, /dev/null, would have lost).
 */
public final class Conmon {
  private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(10);

  private final Path binary;
  private final OciRuntime runtime;
  private final Path execRoot;

  public Conmon(Path binary, OciRuntime runtime, Path execRoot) {
    this.binary = binary.toAbsolutePath();
    this.runtime = runtime;
    this.execRoot = execRoot.toAbsolutePath();
  }

  public OciRuntime runtime() {
    return runtime;
  }

  public Path execRoot() {
    return execRoot;
  }

  public ConmonPaths paths(String id) {
    return ConmonPaths.of(execRoot, id);
  }

  /**
   * Launches conmon, which creates the container; returns once the container is created (init
   * waiting for {@link ContainerProcess#start()}).
   *
   * @throws BerthException with the runtime's error when create fails or exceeds {@code timeout}
   */
  public ContainerProcess create(ContainerLaunch launch, Duration timeout) {
    ConmonPaths paths = paths(launch.id());
    try {
      Files.createDirectories(paths.exitDir());
      Files.createDirectories(paths.persistDir());
      Files.createDirectories(paths.socketDir());
      Files.createDirectories(launch.logPath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare conmon's directories for " + launch.id(), e);
    }
    List<String> argv = new ArrayList<>(common(launch.id(), launch.id(), paths.runtimeLog()));
    argv.addAll(
        List.of(
            "-n", launch.name(),
            "-b", launch.bundle().dir().toString(),
            "-p", paths.containerPidFile().toString(),
            "-P", paths.conmonPidFile().toString(),
            "-l", "k8s-file:" + launch.logPath(),
            "--log-size-max", Long.toString(launch.logSizeMax()),
            "--exit-dir", paths.exitDir().toString(),
            "--persist-dir", paths.persistDir().toString(),
            "--socket-dir-path", paths.socketDir().toString()));
    if (launch.terminal()) {
      argv.add("-t");
    }
    if (launch.stdin()) {
      argv.add("-i");
      if (launch.leaveStdinOpen()) {
        argv.add("--leave-stdin-open");
      }
    }
    launchDaemon(launch.id(), argv);
    int conmonPid = conmonPid(launch.id(), paths.conmonPidFile());

    // The runtime writes the pidfile when it has created the container; conmon makes its attach
    // socket and then its control fifo only after that. A caller may attach at once, so created
    // means all three are there (an attach that came first failed with ENOENT and lost the output).
    boolean settled =
        Poll.until(
            timeout,
            1,
            () -> Pids.readPidFile(paths.containerPidFile()).isPresent() && Files.exists(paths.controlFifo())
                || !Pids.isRunning(conmonPid));
    OptionalInt pid = Pids.readPidFile(paths.containerPidFile());
    if (pid.isEmpty()) {
      String reason =
          RuntimeLog.lastError(paths.runtimeLog())
              .orElse(settled ? "conmon exited without a reason" : "no pidfile after " + timeout.toSeconds() + "s");
      if (Pids.isRunning(conmonPid)) {
        ProcessHandle.of(conmonPid).ifPresent(ProcessHandle::destroyForcibly);
      }
      discardFailedCreate(launch.id(), paths);
      throw new BerthException(
          runtime.name() + " could not create container " + launch.id() + ": " + reason);
    }
    return new ContainerProcess(this, launch.id(), paths, conmonPid, pid.getAsInt());
  }

  /** Leaves nothing behind a failed create: the reason is already in the exception. */
  private void discardFailedCreate(String id, ConmonPaths paths) {
    try {
      runtime.delete(id, true);
    } catch (BerthException notCreated) {
      // The usual case: the runtime gave up before recording the container.
    }
    try {
      Files.deleteIfExists(paths.attachDir());
    } catch (IOException ignored) {
      // Best effort.
    }
    FileTrees.deleteQuietly(paths.dir());
  }

  /** Finds a container conmon still supervises, from its pidfiles (after a daemon restart). */
  public ContainerProcess reattach(String id) {
    ConmonPaths paths = paths(id);
    OptionalInt conmonPid = Pids.readPidFile(paths.conmonPidFile());
    OptionalInt pid = Pids.readPidFile(paths.containerPidFile());
    if (conmonPid.isEmpty() || pid.isEmpty()) {
      throw new BerthException.NotFound("no conmon state for container " + id + " in " + paths.dir());
    }
    return new ContainerProcess(this, id, paths, conmonPid.getAsInt(), pid.getAsInt());
  }

  /**
   * Runs {@code process} in the running container {@code id} under a conmon of its own (--exec)
   * and waits for it: exit code from the session's exit file, output from its k8s-file log.
   */
  ExecResult exec(ConmonPaths container, ProcessSpec process, Duration timeout) {
    String execId = HexFormat.of().formatHex(randomBytes());
    Path dir = container.execDir(execId);
    Path exitFile = dir.resolve("exit").resolve(container.id());
    Path log = dir.resolve("log");
    Path runtimeLog = dir.resolve("runtime.log");
    try {
      Files.createDirectories(dir.resolve("exit"));
      Path spec = dir.resolve("process.json");
      Files.write(spec, SpecJson.toBytes(process));
      List<String> argv = new ArrayList<>(common(container.id(), execId, runtimeLog));
      argv.addAll(
          List.of(
              "--exec",
              "--exec-process-spec", spec.toString(),
              "-p", dir.resolve("pid").toString(),
              "-P", dir.resolve("conmon.pid").toString(),
              "-l", "k8s-file:" + log,
              "--exit-dir", dir.resolve("exit").toString()));
      if (Boolean.TRUE.equals(process.terminal())) {
        argv.add("-t");
      }
      launchDaemon(container.id(), argv);
      int conmonPid = conmonPid(container.id(), dir.resolve("conmon.pid"));
      boolean finished =
          Poll.until(timeout, () -> Files.exists(exitFile) || !Pids.isRunning(conmonPid));
      OptionalInt code = Pids.readNumber(exitFile);
      if (code.isEmpty()) {
        if (Pids.isRunning(conmonPid)) {
          // conmon forwards SIGTERM to the exec'd process; it then writes the exit file.
          ProcessHandle.of(conmonPid).ifPresent(ProcessHandle::destroy);
        }
        String reason =
            RuntimeLog.lastError(runtimeLog)
                .orElse(finished ? "conmon exited without a reason" : "still running after " + timeout.toSeconds() + "s");
        throw new BerthException(
            "exec in container " + container.id() + " failed: " + reason);
      }
      List<LogEntry> entries = K8sFileLog.read(log);
      return new ExecResult(
          code.getAsInt(),
          K8sFileLog.text(entries, LogEntry.Stream.STDOUT),
          K8sFileLog.text(entries, LogEntry.Stream.STDERR));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare exec session in " + dir, e);
    } finally {
      FileTrees.deleteQuietly(dir);
    }
  }

  /**
   * Starts {@code process} (with a terminal) in the running container {@code id} under a conmon
   * of its own that holds the console, attached before the process runs (see {@link ConmonExec}).
   */
  ConmonExec execAttached(ConmonPaths container, ProcessSpec process, boolean stdin) {
    String execId = HexFormat.of().formatHex(randomBytes());
    Path runtimeLog = container.execDir(execId).resolve("runtime.log");
    return ConmonExec.start(common(container.id(), execId, runtimeLog), container, execId, process, stdin, runtimeLog);
  }

  /** Flags shared by create and exec sessions. */
  private List<String> common(String containerId, String uuid, Path runtimeLog) {
    List<String> argv = new ArrayList<>();
    argv.add(binary.toString());
    // --api-version is a bare flag in conmon 2.x (Podman's "1" after it is ignored as positional).
    argv.add("--api-version");
    argv.addAll(List.of("-c", containerId, "-u", uuid, "-r", runtime.binary().toString()));
    for (String arg : runtime.globalArgs()) {
      argv.addAll(List.of("--runtime-arg", arg));
    }
    argv.addAll(
        List.of(
            "--runtime-arg", "--log=" + runtimeLog,
            "--runtime-arg", "--log-format=json"));
    return argv;
  }

  /**
   * Runs conmon's launcher; it forks the real conmon (which sets up /dev/null stdio and setsid)
   * and exits, so our pipes close and nothing of conmon remains our child.
   */
  private static void launchDaemon(String id, List<String> argv) {
    CommandResult result = Commands.run(argv, LAUNCH_TIMEOUT);
    if (!result.ok()) {
      throw new BerthException(
          "conmon failed to start for container " + id + " (exit " + result.exitCode() + "): "
              + (result.stdout() + result.stderr()).strip());
    }
  }

  private static int conmonPid(String id, Path pidFile) {
    return Pids.readPidFile(pidFile)
        .orElseThrow(() -> new BerthException("conmon did not write its pidfile " + pidFile + " for container " + id));
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
