package dev.berth.engine.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
  private static final String ID = "ab".repeat(32);

  private static Vm vm(VmConfig config) {
    return new Vm(ID, "web", "2026-01-01T00:00:00Z", new VmState.Created(), null, null, null, config,
        Path.of("/data/vm/" + ID), Path.of("/run/berth/vm/abababababab"));
  }

  private static VmConfig directBoot(List<PortMapping> ports) {
    return new VmConfig(2, 128L << 20, null, null, null, false, "/k/vmlinux", "/k/initrd.gz", "quiet", null, ports,
        "microvm", "auto");
  }

  @Test
  void directBootUsesMicrovmWithSocketsAndLoggedSerial() {
    List<String> cmd = Qemu.commandLine("qemu", vm(directBoot(List.of(new PortMapping(8080, 80)))), "tcg", 2_100_000);
    String line = String.join(" ", cmd);
    assertThat(cmd.getFirst()).isEqualTo("qemu");
    assertThat(line).contains("-machine microvm,pit=on").contains("-accel tcg").contains("-smp 2").contains("-m 128M")
        .contains("-daemonize -pidfile /run/berth/vm/abababababab/qemu.pid")
        .contains("-qmp unix:/run/berth/vm/abababababab/qmp.sock,server=on,wait=off")
        .contains("socket,id=ser0,path=/run/berth/vm/abababababab/console.sock,server=on,wait=off,logfile=/data/vm/"
            + ID + "/serial.log,logappend=on")
        .contains("-serial chardev:ser0")
        .contains("-netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-device,netdev=n0");
    int append = cmd.indexOf("-append");
    assertThat(cmd.get(append + 1)).isEqualTo("console=ttyS0 tsc_early_khz=2100000 quiet");
    assertThat(cmd).contains("-kernel", "/k/vmlinux", "-initrd", "/k/initrd.gz").doesNotContain("-nographic");
  }

  @Test
  void kvmNeedsNoTscHintAndUsesTheHostCpu() {
    List<String> cmd = Qemu.commandLine("qemu", vm(directBoot(List.of())), "kvm", 2_100_000);
    assertThat(cmd).contains("microvm", "host");
    assertThat(cmd.get(cmd.indexOf("-append") + 1)).isEqualTo("console=ttyS0 quiet");
  }

  @Test
  void diskBootUsesQ35AndPciDevicesAndEscapesCommas() {
    VmConfig c = new VmConfig(1, 512L << 20, "/d/my,disk.qcow2", "qcow2", "/base.img", true, null, null, null,
        "/d/seed.img", List.of(), "q35", "tcg");
    List<String> cmd = Qemu.commandLine("qemu", vm(c), "tcg", 0);
    assertThat(cmd).contains("q35", "id=disk0,if=none,file=/d/my,,disk.qcow2,format=qcow2",
        "virtio-blk-pci,drive=disk0", "id=seed0,if=none,readonly=on,file=/d/seed.img,format=raw",
        "virtio-net-pci,netdev=n0").doesNotContain("-kernel", "-append");
  }

  @Test
  void missingBinariesNameTheDebianPackages(@org.junit.jupiter.api.io.TempDir Path empty) throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Qemu.locate(empty.toString()))
        .isInstanceOf(dev.berth.engine.BerthException.Unavailable.class)
        .hasMessageContaining("qemu-system-x86_64 not found").hasMessageContaining("qemu-system-x86");
    Path fake = empty.resolve("qemu-system-x86_64");
    java.nio.file.Files.writeString(fake, "#!/bin/sh\necho 'QEMU emulator version 9.9.9'\n");
    fake.toFile().setExecutable(true);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Qemu.locate(empty.toString()))
        .isInstanceOf(dev.berth.engine.BerthException.Unavailable.class)
        .hasMessageContaining("qemu-img not found").hasMessageContaining("qemu-utils");
  }

  @Test
  void aUserConsoleIsKept() {
    VmConfig c = new VmConfig(1, 64L << 20, null, null, null, false, "/k", null, "console=hvc0 tsc_early_khz=1000",
        null, List.of(), "microvm", "auto");
    assertThat(Qemu.kernelAppend(c, "tcg", 2_100_000)).isEqualTo("console=hvc0 tsc_early_khz=1000");
  }
}
