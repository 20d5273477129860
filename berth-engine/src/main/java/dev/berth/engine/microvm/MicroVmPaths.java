package dev.berth.engine.microvm;

import java.nio.file.Path;

/**
 * A microVM container's files. {@code dataDir} ({@code <container dir>/vm}) holds what outlives
 * QEMU: the guest's share (run.sh, hosts, hostname, resolv.conf), the raw output QEMU writes for
 * each virtio-serial port, the serial log, and how far the log pump got. {@code runDir}
 * ({@code <exec-root>/microvm/<id12>}, short for the 108-byte socket path limit) holds the sockets
 * and QEMU's pidfile.
 */
public record MicroVmPaths(Path dataDir, Path runDir) {
  public Path share() {
    return dataDir.resolve("share");
  }

  public Path stdout() {
    return dataDir.resolve("stdout.raw");
  }

  public Path stderr() {
    return dataDir.resolve("stderr.raw");
  }

  public Path exit() {
    return dataDir.resolve("exit.raw");
  }

  public Path serialLog() {
    return dataDir.resolve("serial.log");
  }

  public Path offsets() {
    return dataDir.resolve("log.offsets");
  }

  public Path pidFile() {
    return runDir.resolve("qemu.pid");
  }

  public Path qmpSocket() {
    return runDir.resolve("qmp.sock");
  }

  /** The exec agent's virtio-serial port. */
  public Path agentSocket() {
    return runDir.resolve("agent.sock");
  }

  public Path consoleSocket() {
    return runDir.resolve("console.sock");
  }
}
