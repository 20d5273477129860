package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestExitLineTest {
  @Test
  void theInitsReportAmongKernelLinesGivesTheCode() {
    assertThat(GuestExitLine.find("[    2.1] virtio_net ok\r\nberth-exit 3\r\n[    2.9] reboot: Power down\r\n"))
        .hasValue(3);
  }

  @Test
  void aReportNotYetWholeIsNoReport() {
    // QEMU writes the UART's bytes one at a time: this may still become "berth-exit 137"
    assertThat(GuestExitLine.find("boot\r\nberth-exit 1")).isEmpty();
    assertThat(GuestExitLine.find("boot\r\nberth-exit 137\r\n")).hasValue(137);
  }

  @Test
  void onlyALineOfItsOwnCounts() {
    assertThat(GuestExitLine.find("berth-init: cannot mount x berth-exit 0\r\n")).isEmpty();
    assertThat(GuestExitLine.find("")).isEmpty();
  }

  @Test
  void theLogsTailIsReadAndAMissingLogIsNoReport(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("serial.log");
    assertThat(GuestExitLine.read(log)).isEmpty();
    String noise = "x".repeat(100) + "\r\n";
    Files.writeString(log, noise.repeat(200) + "berth-exit 42\r\n" + "[ 3.0] reboot: Power down\r\n",
        StandardCharsets.ISO_8859_1);
    assertThat(GuestExitLine.read(log)).hasValue(42);
  }
}
