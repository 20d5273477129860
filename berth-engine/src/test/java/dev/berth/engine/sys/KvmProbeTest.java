package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmProbeTest {

  @Test
  void aMissingDeviceIsNotKvmAndIsNotCreated(@TempDir Path dir) {
    Path kvm = dir.resolve("kvm");

    KvmProbe.Result result = KvmProbe.probe(kvm);

    assertThat(result.usable()).isFalse();
    assertThat(result.reason()).contains("does not exist");
    assertThat(kvm).doesNotExist();
  }

  @Test
  void aRegularFileIsNotKvmAndIsLeftAsItWas(@TempDir Path dir) throws Exception {
    Path kvm = Files.writeString(dir.resolve("kvm"), "");

    KvmProbe.Result result = KvmProbe.probe(kvm);

    assertThat(result.usable()).isFalse();
    assertThat(result.reason()).contains("not a character device");
    assertThat(Files.size(kvm)).isZero();
  }

  @Test
  void aCharacterDeviceThatIsNotKvmIsRefused() {
    // /dev/null opens read-write but does not answer KVM_GET_API_VERSION
    KvmProbe.Result result = KvmProbe.probe(Path.of("/dev/null"));

    assertThat(result.usable()).isFalse();
    assertThat(result.reason()).contains("KVM_GET_API_VERSION");
  }
}
