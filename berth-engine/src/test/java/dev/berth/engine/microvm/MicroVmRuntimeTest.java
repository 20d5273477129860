package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.vm.Qemu;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MicroVmRuntimeTest {
  @TempDir
  Path dir;

  @Test
  void withoutQemuTheMessageNamesTheDebianPackage() {
    MicroVmRuntime runtime = new MicroVmRuntime(dir, dir, MicroVmRuntime.Settings.DEFAULTS,
        () -> Qemu.locate(dir.resolve("empty-path").toString()));

    assertThatThrownBy(runtime::checkAvailable).isInstanceOf(BerthException.Unavailable.class)
        .hasMessageContaining("--isolation=vm needs QEMU").hasMessageContaining("apt-get install qemu-system-x86");
  }

  @Test
  void aConfiguredKernelThatIsNotThereIsNamed() {
    MicroVmRuntime runtime = new MicroVmRuntime(dir, dir,
        new MicroVmRuntime.Settings(Optional.of(dir.resolve("vmlinuz-1.2.3")), "tcg"), () -> null);

    assertThatThrownBy(runtime::checkAvailable).isInstanceOf(BerthException.Unavailable.class)
        .hasMessageContaining(dir.resolve("vmlinuz-1.2.3").toString());
    assertThat(runtime.describe()).startsWith("guest kernel none (").endsWith(", tcg");
  }

  @Test
  void badAcceleratorsAreRefused() {
    assertThatThrownBy(() -> new MicroVmRuntime.Settings(Optional.empty(), "hvf"))
        .hasMessage("invalid vm-accel \"hvf\": use auto, kvm or tcg");
  }
}
