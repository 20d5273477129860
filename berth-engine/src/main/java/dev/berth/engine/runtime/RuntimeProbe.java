package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decides at daemon start which OCI runtimes work on this host by running a real throwaway
 * container with each: a runtime can be installed yet refuse the host (crun 1.8 on a hybrid
 * cgroup layout), and only running it tells.
 *
 * <p>The probe container's rootfs is an empty directory with the host's /usr, /bin, /lib...
 * bind-mounted read-only, so it runs the host's /bin/true and needs no image.
 */
public final class RuntimeProbe {
  /** Runtimes Berth knows, in order of preference. */
  public static final List<String> KNOWN = List.of("runc", "crun");

  private static final List<String> HOST_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64");
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(20);

  private final Path scratch;

  /** @param scratch a directory for the probes' bundles and state; each probe cleans up its own */
  public RuntimeProbe(Path scratch) {
    this.scratch = scratch.toAbsolutePath();
  }

  /** Probes every known runtime found on PATH (or in /usr/sbin, /usr/bin), concurrently. */
  public List<ProbedRuntime> probeAll() {
    List<Future<ProbedRuntime>> running = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String name : KNOWN) {
        findOnPath(name).ifPresent(path -> running.add(executor.submit(() -> probe(name, path))));
      }
    }
    List<ProbedRuntime> results = new ArrayList<>();
    for (Future<ProbedRuntime> f : running) {
      results.add(f.resultNow());
    }
    return results;
  }

  /** Runs one throwaway container with the runtime at {@code path}. */
  public ProbedRuntime probe(String name, Path path) {
    String version;
    Path dir;
    try {
      dir = Files.createDirectories(scratch).resolve("probe-" + name + "-" + ProcessHandle.current().pid());
      Files.createDirectories(dir.resolve("rootfs"));
    } catch (IOException e) {
      return new ProbedRuntime(name, path, "unknown", false, "cannot create probe directory: " + e.getMessage());
    }
    OciRuntime runtime = new OciRuntime(name, path, dir.resolve("state"));
    String id = "berth-probe-" + name + "-" + ProcessHandle.current().pid();
    try {
      version = runtime.version();
      SpecBuilder spec =
          SpecBuilder.dockerDefaults(dir.resolve("rootfs").toString())
              .args("/bin/true")
              .readonlyRootfs(true)
              .hostname("probe")
              .cgroupsPath("/" + id); // one level: runc delete removes it
      for (String hostDir : HOST_DIRS) {
        if (Files.isDirectory(Path.of(hostDir))) {
          spec.mount(new Mount(hostDir, "bind", hostDir, List.of("rbind", "ro", "nosuid", "nodev")));
        }
      }
      Bundle bundle = Bundle.write(dir.resolve("bundle"), spec.build());
      CommandResult run = runtime.run(id, bundle.dir(), RUN_TIMEOUT);
      if (run.ok()) {
        return new ProbedRuntime(name, path, version, true, "ok");
      }
      return new ProbedRuntime(name, path, version, false, oneLine(OciRuntime.errorMessage(run.stderr() + run.stdout())));
    } catch (RuntimeException e) {
      // A probe reports; it never stops the daemon from starting.
      return new ProbedRuntime(name, path, "unknown", false, oneLine(String.valueOf(e.getMessage())));
    } finally {
      try {
        runtime.delete(id, true);
      } catch (BerthException ignored) {
        // Usually: nothing left to delete after `run`.
      }
      FileTrees.deleteQuietly(dir);
    }
  }

  /** The last line of a runtime's complaint, e.g. crun's "cgroups in hybrid mode not supported...". */
  static String oneLine(String message) {
    String[] lines = message.strip().split("\n");
    String last = lines[lines.length - 1].strip();
    return last.isEmpty() ? "failed without a message" : last;
  }

  static Optional<Path> findOnPath(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    // Daemons often start with a minimal PATH; runc lives in sbin on Debian.
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
