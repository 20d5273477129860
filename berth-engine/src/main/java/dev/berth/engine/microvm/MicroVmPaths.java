package dev.berth.engine.microvm;

import java.nio.file.Path;

/**
 * A microVM container's files. {@code dataDir} ({@code <container dir>/vm}) holds what outlives
 * QEMU: the guest's share (run.sh, hosts, hostname, resolv.conf), the output share (the guest's
 * stdout and stderr files, without a terminal or stdin) or the raw output QEMU writes for each
 * virtio-serial port (with them), the serial log, and how far the log pump got. {@code runDir}
 * ({@code <exec-root>/microvm/<id12>}, short for the 108-byte socket path limit) holds the sockets
 * and QEMU's pidfile.
 */
public record MicroVmPaths(Path dataDir, Path runDir) {
  public Path share() {
    return dataDir.resolve("share");
  }

  /**
   * The output share: the only directory the guest writes besides the rootfs and volumes, so it
   * holds nothing but {@link #outputStdout()} and {@link #outputStderr()} (decision 3400). The guest
   * can put links, FIFOs or device nodes there: berthd opens nothing in it that follows a link or
   * is not a regular file ({@link OutputPump}).
   */
  public Path outputDir() {
    return dataDir.resolve("output");
  }

  public Path outputStdout() {
    return outputDir().resolve("stdout");
  }

  public Path outputStderr() {
    return outputDir().resolve("stderr");
  }

  /** What QEMU writes for the stdout port (with a terminal: the console's output) and what a microVM of an older berthd wrote. */
  public Path stdout() {
    return dataDir.resolve("stdout.raw");
  }

  public Path stderr() {
    return dataDir.resolve("stderr.raw");
  }

  /** Where an older berthd's QEMU wrote the exit port's bytes (the exit code now comes on the serial console). */
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

  /** The main process's terminal (a virtio console, hvc0 in the guest) when it has a TTY. */
  public Path mainTtySocket() {
    return runDir.resolve("tty.sock");
  }

  /** The main process's stdin port when it has no TTY ({@code -i}). */
  public Path stdinSocket() {
    return runDir.resolve("stdin.sock");
  }

  /** A socket of interactive exec slot {@code slot}: t(ty), i(n), o(ut), e(rr) or x (exit code). */
  public Path execSocket(int slot, char stream) {
    return runDir.resolve("x" + slot + stream + ".sock");
  }
}
