package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** A VM's serial output: the log QEMU writes (read, or followed while it runs) and the console socket. */
final class VmConsole {
  private VmConsole() {}

  /**
   * Writes the serial log to {@code out}; with {@code follow}, keeps writing what the guest
   * prints until {@code running} says no and the log is read to its end, or the reader goes away.
   */
  static void logs(Vm vm, boolean follow, BooleanSupplier running, OutputStream out) throws IOException {
    Path file = vm.serialLog();
    long offset = 0;
    byte[] buffer = new byte[16384];
    while (true) {
      if (Files.exists(file)) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
          f.seek(offset);
          int n;
          while ((n = f.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            offset += n;
          }
          out.flush();
        }
      }
      if (!follow) {
        return;
      }
      if (!running.getAsBoolean() && Files.exists(file) && Files.size(file) == offset) {
        return;
      }
      try {
        Thread.sleep(100); // polling interval for new serial output
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A connection to the VM's serial console socket (QEMU takes one client at a time). */
  static SocketChannel open(Vm vm) {
    if (!vm.state().hasProcess()) {
      throw new BerthException.Conflict("VM " + vm.name() + " is " + vm.state().name() + "; start it to use its console");
    }
    try {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(vm.consoleSocket()));
      return ch;
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot connect to the console of VM " + vm.name() + " at "
          + vm.consoleSocket() + ": " + e.getMessage());
    }
  }
}
