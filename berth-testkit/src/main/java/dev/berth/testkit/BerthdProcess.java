package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real berthd (bin/berthd) as a child process on its own data-root, exec-root and socket,
 * so tests never touch an installed Berth and can run beside one. Closing it kills the daemon
 * if it still runs; the directories belong to the caller (usually a JUnit temp dir).
 */
public final class BerthdProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataRoot;
  private final Path execRoot;
  private final Path socket;
  private final Path log;
  private final Process process;

  private BerthdProcess(Path dataRoot, Path execRoot, Path socket, Path log, Process process) {
    this.dataRoot = dataRoot;
    this.execRoot = execRoot;
    this.socket = socket;
    this.log = log;
    this.process = process;
  }

  /** Starts berthd with its roots under {@code base} and waits until its socket accepts. */
  public static BerthdProcess start(Path base) {
    return start(base.resolve("data"), base.resolve("exec"), base.resolve("exec/berth.sock"), base);
  }

  /** Starts berthd on explicit roots; {@code logDir} receives berthd.log and daemon.json. */
  public static BerthdProcess start(Path dataRoot, Path execRoot, Path socket, Path logDir) {
    BerthdProcess d = launch(dataRoot, execRoot, socket, logDir);
    d.awaitReady();
    return d;
  }

  /** Starts berthd with its roots under {@code base} and more flags (another -H, TLS…); waits for its socket. */
  public static BerthdProcess start(Path base, List<String> extraArgs) {
    BerthdProcess d = launch(base.resolve("data"), base.resolve("exec"), base.resolve("exec/berth.sock"), base, extraArgs);
    d.awaitReady();
    return d;
  }

  /** Starts berthd without waiting: for tests of failing starts. */
  public static BerthdProcess launch(Path dataRoot, Path execRoot, Path socket, Path logDir) {
    return launch(dataRoot, execRoot, socket, logDir, List.of());
  }

  /** Starts berthd with more flags, without waiting. */
  public static BerthdProcess launch(Path dataRoot, Path execRoot, Path socket, Path logDir, List<String> extraArgs) {
    try {
      Files.createDirectories(logDir);
      Path config = logDir.resolve("daemon.json");
      if (!Files.exists(config)) {
        Files.writeString(config, "{}\n");
      }
      Path log = Files.createTempFile(logDir, "berthd", ".log");
      List<String> cmd = new ArrayList<>(List.of(Repo.root().resolve("bin/berthd").toString(),
          "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString(),
          "-H", "unix://" + socket, "--config-file", config.toString(), "--log-level", "debug"));
      HostNetwork net = HostNetwork.forDaemon(dataRoot);
      if (!Files.readString(config).contains("\"bridge\"")) {
        cmd.addAll(net.flags());
      }
      cmd.addAll(extraArgs);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      return new BerthdProcess(dataRoot, execRoot, socket, log, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("berthd exited with " + process.exitValue() + " during start:\n" + log());
      }
      if (Files.exists(socket)) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          return;
        } catch (IOException notYet) {
          // a stale file, or not listening yet
        }
      }
      try {
        Thread.sleep(20); // polling interval; the deadline above bounds the wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("berthd did not accept connections within " + START_TIMEOUT + ":\n" + log());
  }

  public String host() {
    return "unix://" + socket;
  }

  public Path socket() {
    return socket;
  }

  public Path dataRoot() {
    return dataRoot;
  }

  public Path execRoot() {
    return execRoot;
  }

  /** The bridge, subnets and iptables chains of this daemon (unique per data-root, so daemons can run side by side). */
  public HostNetwork network() {
    return HostNetwork.forDaemon(dataRoot);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end by itself; its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("berthd still running after " + timeout + ":\n" + log());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * SIGTERM, then the exit code. When no container of the daemon is attached to a network any
   * more, its chains and bridge are removed from the host too.
   */
  public int stop() {
    process.destroy();
    int code = awaitExit(Duration.ofSeconds(30));
    cleanUpHostNetwork();
    return code;
  }

  private void cleanUpHostNetwork() {
    try (var left = Files.list(execRoot.resolve("netns"))) {
      if (left.findAny().isPresent()) {
        return; // containers still run (a restart test): their rules and bridge stay
      }
    } catch (IOException noNamespaces) {
      // none were ever made
    }
    network().cleanUp();
  }

  /** SIGKILL: a crash, leaving whatever berthd left. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills the daemon if it still runs, then (with no container attached) removes its chains and bridge from the host. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    cleanUpHostNetwork();
  }
}
