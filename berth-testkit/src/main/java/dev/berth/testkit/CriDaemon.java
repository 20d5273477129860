package dev.berth.testkit;

import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.CriTestImages;
import dev.berth.testkit.registry.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A berthd serving the CRI on its own socket, with a loopback registry beside it, for the
 * CRI's integration tests: crictl and critest (cri-tools v1.32, found by {@link #tools()}) talk
 * to {@link #criSocket()}. Closing removes every pod sandbox and container through the CRI,
 * stops berthd and the registry, and removes any mount or conmon left under the directory.
 */
public final class CriDaemon implements AutoCloseable {
  /** Where crictl, critest and critest-images.py live: {@code -Dberth.cri.tools} or env {@code BERTH_CRI_TOOLS}. */
  public static final String TOOLS_ENV = CriTestImages.TOOLS_ENV;

  private final Path dir;
  private final LocalRegistry registry;
  /** Replaced by {@link #crashAndRestart()}. */
  private BerthdProcess daemon;
  private final List<String> args;
  private final Path tools;
  private boolean closed;

  private CriDaemon(Path dir, LocalRegistry registry, BerthdProcess daemon, List<String> args, Path tools) {
    this.dir = dir;
    this.registry = registry;
    this.daemon = daemon;
    this.args = List.copyOf(args);
    this.tools = tools;
  }

  /** The cri-tools directory ({@link CriTestImages#toolsDir}); empty when it holds no crictl. */
  public static Optional<Path> findTools() {
    Path dir = CriTestImages.toolsDir();
    return Files.isExecutable(dir.resolve("crictl")) ? Optional.of(dir) : Optional.empty();
  }

  /**
   * Starts a registry under {@code dir/registry} and fills it: with every image critest pulls
   * ({@code critest-images.py}, under their upstream paths) when {@code critestImages}, else with
   * the test busybox only ({@link #busyboxImage()}). Then berthd under {@code dir/berthd} with
   * {@code extraArgs} (and {@link CriTestImages#mirrorFlags} when {@code mirrors}).
   */
  public static CriDaemon start(Path dir, boolean critestImages, boolean mirrors, List<String> extraArgs) {
    Path tools = findTools().orElseThrow(() -> new IllegalStateException("no cri-tools: set " + TOOLS_ENV));
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    BerthdProcess daemon = null;
    try {
      if (critestImages) {
        CriTestImages.fill(registry);
      } else {
        BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(registry.host() + "/test/busybox:latest");
      }
      List<String> args = new ArrayList<>(extraArgs);
      if (mirrors) {
        args.addAll(CriTestImages.mirrorFlags(registry));
      }
      daemon = BerthdProcess.start(dir.resolve("berthd"), args);
      CriDaemon cri = new CriDaemon(dir, registry, daemon, args, tools);
      cri.awaitCri();
      return cri;
    } catch (RuntimeException | AssertionError e) {
      if (daemon != null) {
        daemon.close();
      }
      registry.close();
      Leftovers.removeUnder(dir);
      throw e;
    }
  }

  /** berthd opens the CRI socket after the Docker socket (the gRPC stack loads in a second or two). */
  private void awaitCri() {
    if (!Poll.until(Duration.ofSeconds(60), () -> Files.exists(criSocket()) && crictl("version").exitCode() == 0)) {
      throw new IllegalStateException("berthd's CRI socket " + criSocket() + " did not answer within 60 s:\n"
          + daemon.log());
    }
  }

  /**
   * A crash: SIGKILLs berthd (conmon keeps the containers running) and starts a new one on the
   * same roots with the same flags; returns when its CRI answers.
   */
  public void crashAndRestart() {
    daemon.kill();
    daemon = BerthdProcess.start(dir.resolve("berthd"), args);
    awaitCri();
  }

  /** A pod run through crictl: its sandbox ID and the config file CreateContainer is given again. */
  public record Pod(String id, Path config) {}

  /**
   * Runs a pod with crictl: {@code name} is its name, hostname and (with "-uid") its UID, in the
   * namespace "default", logging under this daemon's directory. Its PID namespace mode is
   * kubelet's default CONTAINER (no infra container on Berth), or POD when {@code sharedPids}.
   */
  public Pod runPod(String name, boolean sharedPids) {
    try {
      Path logs = Files.createDirectories(dir.resolve("logs").resolve(name));
      Path config = Files.writeString(dir.resolve(name + "-pod.json"), """
          {"metadata": {"name": "%s", "namespace": "default", "uid": "%s-uid", "attempt": 0},
           "hostname": "%s", "log_directory": "%s",
           "linux": {"security_context": {"namespace_options": {"pid": %d}}}}
          """.formatted(name, name, name, logs, sharedPids ? 0 : 1));
      return new Pod(ok("runp", config.toString()), config);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Creates and starts a container in {@code pod} from {@code json}, crictl's container config; answers its ID. */
  public String startContainer(Pod pod, String json) {
    try {
      Path config = Files.writeString(Files.createTempFile(dir, "container-", ".json"), json);
      String id = ok("create", pod.id(), config.toString(), pod.config().toString());
      ok("start", id);
      return id;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** crictl's output (stripped); a failure is thrown with crictl's output and the end of berthd's log. */
  private String ok(String... args) {
    ProcessResult r = crictl(args);
    if (r.exitCode() != 0) {
      String log = daemon.log();
      throw new IllegalStateException("crictl " + String.join(" ", args) + ": " + r + "\nberthd log:\n"
          + (log.length() > 6000 ? log.substring(log.length() - 6000) : log));
    }
    return r.stdout().strip();
  }

  /** Whether this berthd knows {@code flag} (its --help names it): for flags other branches bring. */
  public static boolean berthdHasFlag(String flag) {
    ProcessResult help = Commands.run(List.of(Repo.root().resolve("bin/berthd").toString(), "--help"),
        Duration.ofMinutes(1));
    return help.stdout().contains(flag) || help.stderr().contains(flag);
  }

  public Path criSocket() {
    return daemon.execRoot().resolve("cri.sock");
  }

  public String endpoint() {
    return "unix://" + criSocket();
  }

  public BerthdProcess daemon() {
    return daemon;
  }

  public LocalRegistry registry() {
    return registry;
  }

  public Path tools() {
    return tools;
  }

  /** The test busybox (when started without critest's images), by its loopback name. */
  public String busyboxImage() {
    return registry.host() + "/test/busybox:latest";
  }

  /** crictl's command line against this daemon's CRI socket. */
  public List<String> crictlCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(tools.resolve("crictl").toString(), "--config", emptyConfig().toString(),
        "--runtime-endpoint", endpoint(), "--image-endpoint", endpoint(), "--timeout", "60s"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** An empty crictl/critest config file: without one, each call warns that /etc/crictl.yaml is missing. */
  public Path emptyConfig() {
    Path file = dir.resolve("crictl.yaml");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, "");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  public ProcessResult crictl(String... args) {
    return Commands.run(crictlCommand(args), Duration.ofMinutes(3));
  }

  /** Idempotent: removes every pod (and so its containers) through the CRI, then stops everything. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (daemon.isAlive()) {
        crictl("rmp", "--all", "--force");
        crictl("rm", "--all", "--force");
        daemon.stop();
      }
    } catch (RuntimeException e) {
      System.err.println("CriDaemon: clean-up through the CRI failed: " + e.getMessage());
    } finally {
      daemon.close();
      registry.close();
      Leftovers.removeUnder(dir);
    }
  }
}
