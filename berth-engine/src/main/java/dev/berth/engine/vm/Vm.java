package dev.berth.engine.vm;

import java.nio.file.Path;

/**
 * A VM as callers see it.
 *
 * @param accel kvm or tcg from the last start, null before the first
 * @param dir durable files: disk overlay, seed, serial log
 * @param runDir runtime files: QMP and console sockets, pidfile
 */
public record Vm(
    String id,
    String name,
    String created,
    VmState state,
    String accel,
    String startedAt,
    String stoppedAt,
    VmConfig config,
    Path dir,
    Path runDir) {

  public String shortId() {
    return id.substring(0, 12);
  }

  public Path serialLog() {
    return dir.resolve("serial.log");
  }

  public Path qmpSocket() {
    return runDir.resolve("qmp.sock");
  }

  public Path consoleSocket() {
    return runDir.resolve("console.sock");
  }

  public Path pidFile() {
    return runDir.resolve("qemu.pid");
  }
}
