package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dockerd (Debian's docker.io) on temp dirs, for interoperability tests and peer
 * benchmarks: no bridge, no iptables changes, its own containerd under its exec-root.
 */
public final class DockerdProcess implements AutoCloseable {
  public static final Path DOCKERD = Path.of("/usr/sbin/dockerd");

  private final Process process;
  private final Path socket;
  private final Path log;

  private DockerdProcess(Process process, Path socket, Path log) {
    this.process = process;
    this.socket = socket;
    this.log = log;
  }

  public static boolean available() {
    return Files.isExecutable(DOCKERD);
  }

  public static DockerdProcess start(Path base) {
    return start(base, List.of());
  }

  /** Starts dockerd with more flags ({@code --registry-mirror …}), to compare Berth with it. */
  public static DockerdProcess start(Path base, List<String> extraArgs) {
    try {
      Files.createDirectories(base);
      Path socket = base.resolve("d.sock");
      Path log = base.resolve("dockerd.log");
      ProcessBuilder p0 = new ProcessBuilder(DOCKERD.toString(), "--data-root", base.resolve("data").toString(),
          "--exec-root", base.resolve("exec").toString(), "-H", "unix://" + socket,
          "--pidfile", base.resolve("dockerd.pid").toString(), "--bridge=none", "--iptables=false",
          "--ip-masq=false");
      List<String> cmd = new java.util.ArrayList<>(p0.command());
      cmd.addAll(extraArgs);
      Process p = p0.command(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      DockerdProcess d = new DockerdProcess(p, socket, log);
      d.awaitReady();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("dockerd exited during start:\n" + log());
      }
      if (Files.exists(socket) && docker("version").exitCode() == 0) {
        return;
      }
      try {
        Thread.sleep(100); // polling interval; the deadline bounds the wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("dockerd did not answer within 60s:\n" + log());
  }

  public String host() {
    return "unix://" + socket;
  }

  /** The docker CLI against this daemon. */
  public ProcessResult docker(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("docker", "-H", host()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Duration.ofMinutes(2));
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
