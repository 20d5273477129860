package dev.berth.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.sys.LinuxFs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An attached exec with a TTY under a conmon of its own ({@code --exec --exec-attach -t}), as
 * Podman runs {@code exec -t}: conmon takes the console's master from {@code runc exec --detach
 * --console-socket} before the process is started and leaves its ONLCR as a new terminal has
 * it, so the output is what dockerd's shim relays — each {@code \n} becomes {@code \r\n} once.
 * (Under a plain {@code runc exec -t}, runc clears ONLCR on the console only after the process
 * may have written, and relays through a terminal of ours on which it turns output processing
 * back on: an early {@code \n} arrived as {@code \r\r\n}; decision 1601.)
 *
 * <p>conmon's pipes are FIFOs in the session's directory, opened by a shell that then execs
 * conmon ({@link ProcessBuilder} cannot hand a child extra descriptors): conmon waits on the
 * start FIFO, says on the attach FIFO that its socket is ready, runs the process when told,
 * and writes the process's pid and then its exit code (or the runtime's error) to the sync FIFO.
 */
public final class ConmonExec implements AutoCloseable {
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

  /** How the exec ended: the process's exit code, or the runtime's error (the process never ran). */
  public record Exit(int code, String runtimeError) {}

  private final Path dir;
  private final ConmonPaths paths;
  private final FileChannel sync;
  private final FileChannel start;
  private final FileChannel attachPipe;
  private final Path runtimeLog;
  private AttachSession attach;
  private Exit exit;

  private ConmonExec(Path dir, ConmonPaths paths, FileChannel sync, FileChannel start, FileChannel attachPipe,
      Path runtimeLog) {
    this.dir = dir;
    this.paths = paths;
    this.sync = sync;
    this.start = start;
    this.attachPipe = attachPipe;
    this.runtimeLog = runtimeLog;
  }

  /**
   * Starts {@code process} (a terminal one) in the running container and returns once its output
   * is attached: nothing it writes is lost. {@code stdin}: the attach socket's input reaches it.
   */
  static ConmonExec start(List<String> common, ConmonPaths container, String execId, ProcessSpec process,
      boolean stdin, Path runtimeLog) {
    Path dir = container.execDir(execId);
    ConmonExec session = null;
    try {
      Files.createDirectories(dir.resolve("exit"));
      Path spec = dir.resolve("process.json");
      Files.write(spec, SpecJson.toBytes(process));
      List<FileChannel> fifos = new ArrayList<>();
      for (String name : List.of("sync", "start", "attach-pipe")) {
        LinuxFs.mknod(dir.resolve(name), LinuxFs.S_IFIFO | 0600, 0);
        // read-write: opening a FIFO so never blocks, and conmon's end may come and go
        fifos.add(FileChannel.open(dir.resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE));
      }
      session = new ConmonExec(dir, new ConmonPaths(dir, container.socketDir(), execId), fifos.get(0), fifos.get(1),
          fifos.get(2), runtimeLog);
      List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
          "exec \"$0\" \"$@\" 3<>\"$BERTH_SYNC\" 4<>\"$BERTH_START\" 5<>\"$BERTH_ATTACH\""));
      argv.addAll(common);
      argv.addAll(List.of(
          "--exec", "--exec-attach", "--exec-process-spec", spec.toString(),
          "-b", dir.toString(),
          "-p", dir.resolve("pid").toString(),
          "-P", dir.resolve("conmon.pid").toString(),
          "-l", "none",
          "--exit-dir", dir.resolve("exit").toString(),
          "--socket-dir-path", container.socketDir().toString(),
          "-t"));
      if (stdin) {
        argv.add("-i");
      }
      ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
      pb.environment().putAll(java.util.Map.of("_OCI_SYNCPIPE", "3", "_OCI_STARTPIPE", "4", "_OCI_ATTACHPIPE", "5",
          "BERTH_SYNC", dir.resolve("sync").toString(), "BERTH_START", dir.resolve("start").toString(),
          "BERTH_ATTACH", dir.resolve("attach-pipe").toString()));
      Process launcher = pb.start();
      session.signalStart(); // conmon waits for a first word before it forks
      JsonNode ready = session.message(session.attachPipe, launcher);
      if (ready.path("data").asInt(-1) < 0) {
        throw new BerthException("conmon could not prepare the exec: " + ready.path("message").asText(""));
      }
      Files.createDirectories(container.socketDir());
      session.attach = AttachSession.connect(session.paths.attachSocket());
      session.signalStart(); // attached: conmon runs the process now
      return session;
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close();
      } else {
        FileTrees.deleteQuietly(dir);
      }
      throw e instanceof BerthException b ? b
          : new BerthException("cannot start the exec in container " + container.id() + ": " + e.getMessage(), e);
    }
  }

  /** The process's output (one stream: it has a terminal) and its stdin. */
  public AttachSession attach() {
    return attach;
  }

  /** Resizes the process's terminal through the session's ctl FIFO. */
  public void resize(int rows, int cols) throws IOException {
    if (exit != null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(paths.controlFifo(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(("1 " + rows + " " + cols + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /**
   * Waits for the process to end (its output has been read to the end, or is not wanted):
   * its exit code, or the runtime's error when it could not be started.
   */
  public synchronized Exit waitFor() throws IOException {
    while (exit == null) {
      JsonNode m = message(sync, null);
      int data = m.path("data").asInt(-1);
      if (m.has("message") || data < 0) {
        exit = new Exit(-1, RuntimeLog.lastError(runtimeLog).orElse(m.path("message").asText("exec failed").strip()));
      } else if (!sawPid) {
        sawPid = true; // the first word is the process's pid, the second its exit code
      } else {
        exit = new Exit(data, null);
      }
    }
    return exit;
  }

  private boolean sawPid;

  private void signalStart() throws IOException {
    start.write(ByteBuffer.wrap(new byte[] {'0'}));
  }

  /**
   * One JSON line from a FIFO; {@code launcher}, while conmon has not forked, fails the wait
   * early when it dies. Setup waits are bounded; the exit wait is as long as the process runs.
   */
  private JsonNode message(FileChannel fifo, Process launcher) throws IOException {
    CompletableFuture<String> line = new CompletableFuture<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
          one.clear();
          if (fifo.read(one) < 0) {
            break;
          }
          if (one.get(0) == '\n') {
            break;
          }
          out.write(one.get(0));
        }
        line.complete(out.toString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        line.completeExceptionally(e);
      }
    });
    try {
      String text;
      if (launcher != null) {
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        while (true) {
          try {
            text = line.get(50, TimeUnit.MILLISECONDS);
            break;
          } catch (TimeoutException notYet) {
            if (!launcher.isAlive() && launcher.exitValue() != 0 || System.nanoTime() > deadline) {
              throw notYet; // conmon refused to start (its launcher failed), or never answered
            }
          }
        }
      } else {
        // as long as the process runs; a conmon that died without a word ends the wait
        while (true) {
          try {
            text = line.get(1, TimeUnit.SECONDS);
            break;
          } catch (TimeoutException stillRunning) {
            if (!conmonRunning()) {
              text = line.getNow(null);
              if (text == null) {
                reader.interrupt();
                return SpecJson.mapper().readTree("{\"data\": -1, \"message\": \"conmon exited without a word\"}");
              }
              break;
            }
          }
        }
      }
      return SpecJson.mapper().readTree(text);
    } catch (TimeoutException e) {
      reader.interrupt();
      throw new BerthException("conmon did not start the exec (waited up to " + SETUP_TIMEOUT.toSeconds() + "s): "
          + RuntimeLog.lastError(runtimeLog).orElse("no reason given"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reader.interrupt();
      throw new IOException("interrupted while waiting for conmon", e);
    } catch (ExecutionException e) {
      throw new IOException("cannot read conmon's answer: " + e.getCause().getMessage(), e.getCause());
    }
  }

  private boolean conmonRunning() {
    return Pids.readPidFile(dir.resolve("conmon.pid")).stream().anyMatch(Pids::isRunning);
  }

  /** Ends the session: kills a process still running (through conmon) and removes its files. */
  @Override
  public void close() {
    Pids.readPidFile(dir.resolve("conmon.pid")).ifPresent(pid -> {
      if (exit == null) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // conmon passes SIGTERM on
      }
    });
    for (AutoCloseable c : new AutoCloseable[] {attach, sync, start, attachPipe}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing what is already gone
      }
    }
    try {
      Files.deleteIfExists(paths.attachDir());
    } catch (IOException ignored) {
      // conmon's symlink; the socket dir is swept with the container
    }
    FileTrees.deleteQuietly(dir);
  }
}
