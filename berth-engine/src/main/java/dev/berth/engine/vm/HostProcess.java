package dev.berth.engine.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A QEMU process by pid. QEMU daemonizes, so it is not berthd's child: liveness comes from
 * /proc, and a zombie (dead, waiting to be reaped by init) counts as gone.
 */
final class HostProcess {
  private HostProcess() {}

  /** True when {@code pid} runs and its command line contains {@code marker} (not a recycled pid). */
  static boolean alive(long pid, String marker) {
    if (pid <= 0) {
      return false;
    }
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String stat = Files.readString(proc.resolve("stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state == 'Z' || state == 'X') {
        return false;
      }
      String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
      return cmdline.contains("qemu-system") && cmdline.contains(marker);
    } catch (IOException | IndexOutOfBoundsException e) {
      return false;
    }
  }

  /** Polls until the process is gone or the timeout passes; true when gone. */
  static boolean awaitExit(long pid, String marker, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (alive(pid, marker)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(50); // polling interval; the deadline bounds the wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !alive(pid, marker);
      }
    }
    return true;
  }

  static void kill(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  static long readPid(Path pidFile) throws IOException {
    return Long.parseLong(Files.readString(pidFile).strip());
  }
}
