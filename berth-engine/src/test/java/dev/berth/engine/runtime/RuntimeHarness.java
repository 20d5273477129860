package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Integration-test fixture: its own exec-root, runc state, cgroup parent and busybox rootfs under
 * a temp dir; {@link #close()} deletes every container it made, kills their conmons and removes
 * the dirs and cgroups, also after failures.
 */
final class RuntimeHarness implements AutoCloseable {
  static final Path RUNC = Path.of("/usr/sbin/runc");
  static final Path CONMON = Path.of("/usr/bin/conmon");

  final Path root;
  final Path rootfs;
  final OciRuntime runc;
  final Conmon conmon;
  final String cgroupParent = "/berth-it-" + randomHex(4);
  private final List<ContainerProcess> created = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();

  RuntimeHarness() throws IOException, InterruptedException {
    // Short path: conmon's attach socket path must stay under 108 bytes.
    root = Files.createTempDirectory(Path.of("/tmp"), "brt");
    rootfs = BusyboxRootfs.create(root.resolve("rootfs"));
    Path execRoot = root.resolve("run");
    runc = new OciRuntime("runc", RUNC, execRoot.resolve("runtime").resolve("runc"));
    conmon = new Conmon(CONMON, runc, execRoot);
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A busybox spec builder with this harness's rootfs and a cgroup of its own. */
  SpecBuilder spec(String id, String... args) {
    return SpecBuilder.dockerDefaults(rootfs.toString())
        .args(args)
        .hostname("it")
        .cgroupsPath(cgroupParent + "/" + id);
  }

  String newId() {
    String id = randomHex(32);
    ids.add(id);
    return id;
  }

  /** Writes the bundle and lets conmon create the container (not started). */
  ContainerProcess create(String id, SpecBuilder spec) {
    return create(id, spec, false, false);
  }

  /** As {@link #create(String, SpecBuilder)} with a pty and/or a stdin pipe. */
  ContainerProcess create(String id, SpecBuilder spec, boolean terminal, boolean stdin) {
    Bundle bundle = Bundle.write(root.resolve("bundles").resolve(id), spec.terminal(terminal).build());
    ContainerProcess process =
        conmon.create(
            new ContainerLaunch(id, "it-" + id.substring(0, 8), bundle, logPath(id), 1 << 20, terminal, stdin),
            Duration.ofSeconds(20));
    created.add(process);
    return process;
  }

  ContainerProcess run(String id, SpecBuilder spec) {
    ContainerProcess process = create(id, spec);
    process.start();
    return process;
  }

  Path logPath(String id) {
    return root.resolve("logs").resolve(id + ".log");
  }

  @Override
  public void close() {
    for (ContainerProcess p : created) {
      try {
        p.delete();
      } catch (RuntimeException e) {
        System.err.println("cleanup of " + p + " failed: " + e.getMessage());
      }
    }
    for (String id : ids) {
      try {
        runc.delete(id, true);
      } catch (BerthException ignored) {
        // Already deleted, or never created.
      }
    }
    for (String controller : List.of("memory", "pids", "cpu", "cpuacct", "cpuset", "blkio", "devices", "freezer", "systemd", "unified", "")) {
      Path parent = Path.of("/sys/fs/cgroup", controller, cgroupParent);
      try {
        Files.deleteIfExists(parent);
      } catch (IOException ignored) {
        // Not created for this controller, or still busy.
      }
    }
    FileTrees.deleteQuietly(root);
  }
}
