package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.junit.jupiter.api.Test;

class InitramfsTest {
  @Test
  void writesANewcArchiveTheKernelCanUnpack() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Initramfs().dir("bin").dir("dev").charDevice("dev/console", 5, 1).file("bin/busybox", 0755, new byte[] {1, 2, 3})
        .file("init", 0755, "#!/bin/busybox sh\n").writeTo(out);

    Map<String, CpioArchiveEntry> entries = new LinkedHashMap<>();
    Map<String, byte[]> data = new LinkedHashMap<>();
    try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      CpioArchiveEntry e;
      while ((e = in.getNextCPIOEntry()) != null) {
        assertThat(e.getFormat()).isEqualTo(CpioConstants.FORMAT_NEW);
        entries.put(e.getName(), e);
        data.put(e.getName(), in.readAllBytes());
      }
    }
    assertThat(entries.keySet()).containsExactly("bin", "dev", "dev/console", "bin/busybox", "init");
    assertThat(entries.get("bin").isDirectory()).isTrue();
    CpioArchiveEntry console = entries.get("dev/console");
    assertThat(console.isCharacterDevice()).isTrue();
    assertThat(console.getRemoteDeviceMaj()).isEqualTo(5);
    assertThat(console.getRemoteDeviceMin()).isEqualTo(1);
    assertThat(entries.get("init").getMode() & 07777).isEqualTo(0755);
    assertThat(data.get("bin/busybox")).containsExactly(1, 2, 3);
    assertThat(new String(data.get("init"))).isEqualTo("#!/bin/busybox sh\n");
  }

  @Test
  void theSameInputsGiveTheSameBytes() throws IOException {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new Initramfs().dir("x").file("x/y", 0644, "z").writeTo(a);
    new Initramfs().dir("x").file("x/y", 0644, "z").writeTo(b);
    assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
  }
}
