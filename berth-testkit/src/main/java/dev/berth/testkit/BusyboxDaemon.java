package dev.berth.testkit;

import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.nio.file.Path;

/**
 * The usual set-up of an integration test class: a local registry holding the test busybox
 * image, and a berthd on temp dirs that has pulled it. Closing removes every container, stops
 * the daemon and the registry, and then removes any mount or conmon left under {@code dir}
 * (after a failed test, none may outlive the class or block the temp dir's removal).
 */
public final class BusyboxDaemon implements AutoCloseable {
  private final Path dir;
  private final LocalRegistry registry;
  private BerthdProcess daemon;
  private final String image;
  private boolean closed;

  private BusyboxDaemon(Path dir, LocalRegistry registry, BerthdProcess daemon, String image) {
    this.dir = dir;
    this.registry = registry;
    this.daemon = daemon;
    this.image = image;
  }

  /**
   * Starts both under {@code dir} (registry/, layout/, berthd/); a daemon.json the caller put in
   * {@code dir/berthd} beforehand is the daemon's config file.
   */
  public static BusyboxDaemon start(Path dir) {
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    BerthdProcess daemon = null;
    try {
      String image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
          .pushTo(registry.host() + "/test/busybox:latest");
      daemon = BerthdProcess.start(dir.resolve("berthd"));
      BusyboxDaemon started = new BusyboxDaemon(dir, registry, daemon, image);
      started.ok("pull", "-q", image);
      return started;
    } catch (RuntimeException | AssertionError e) {
      if (daemon != null) {
        daemon.close();
      }
      registry.close();
      Leftovers.removeUnder(dir);
      throw e;
    }
  }

  public BerthdProcess daemon() {
    return daemon;
  }

  /**
   * Starts berthd again on the same dirs, after the test stopped or killed it; the new process is
   * the one {@link #close()} stops.
   */
  public BerthdProcess startAgain() {
    if (daemon.isAlive()) {
      throw new IllegalStateException("berthd still runs (pid " + daemon.pid() + "): stop or kill it first");
    }
    daemon = BerthdProcess.start(dir.resolve("berthd"));
    return daemon;
  }

  public LocalRegistry registry() {
    return registry;
  }

  /** The busybox image's reference in the registry, already pulled by the daemon. */
  public String image() {
    return image;
  }

  /** Runs the berth CLI against this daemon. */
  public ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  /** Runs the berth CLI and fails with its output unless it exits 0. */
  public ProcessResult ok(String... args) {
    ProcessResult r = berth(args);
    if (r.exitCode() != 0) {
      throw new AssertionError("berth " + String.join(" ", args) + " failed: " + r);
    }
    return r;
  }

  /** Force-removes every container, paused or running ones too. */
  public void removeAllContainers() {
    for (String id : berth("ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth("rm", "-f", id);
    }
  }

  /** Idempotent: a class that must clean up after the daemon stops may close it first. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (daemon.isAlive()) {
        removeAllContainers();
        daemon.stop();
      }
      daemon.close();
      registry.close();
    } finally {
      Leftovers.removeUnder(dir);
    }
  }
}
