package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Rlimit;
import dev.berth.engine.runtime.spec.Spec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecBuilderTest {
  @Test
  void startsFromDockersDefaults() {
    Spec spec = SpecBuilder.dockerDefaults("rootfs", 20000).args("echo", "hi").build();

    assertThat(spec.ociVersion()).isEqualTo("1.0.2");
    assertThat(spec.process().capabilities().effective())
        .hasSize(14)
        .containsExactlyInAnyOrder(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    assertThat(spec.process().capabilities().bounding()).isEqualTo(spec.process().capabilities().effective());
    assertThat(spec.process().capabilities().ambient()).isNull();
    assertThat(spec.process().oomScoreAdj()).isNull();
    assertThat(spec.process().env()).containsExactly(SpecDefaults.PATH_ENV);
    assertThat(spec.linux().maskedPaths()).contains("/proc/kcore", "/sys/firmware", "/sys/devices/virtual/powercap").hasSize(11);
    assertThat(spec.linux().readonlyPaths()).containsExactly("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    assertThat(spec.mounts()).extracting(Mount::destination)
        .containsExactly("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup");
    assertThat(spec.mounts().get(3).options()).contains("size=65536k");
    assertThat(spec.mounts().get(6).options()).contains("ro");
    assertThat(spec.linux().resources().devices().getFirst()).isEqualTo(dev.berth.engine.runtime.spec.DeviceRule.denyAll());
    assertThat(spec.linux().namespaces()).extracting(Namespace::type).containsExactly("mount", "network", "uts", "pid", "ipc");
  }

  @Test
  void clampsOpenFilesToTheHostsHardLimit() {
    Spec spec = SpecBuilder.dockerDefaults("rootfs", 20000).build();

    assertThat(spec.process().rlimits()).containsExactly(new Rlimit("RLIMIT_NOFILE", 20000, 20000));
    assertThat(SpecBuilder.dockerDefaults("rootfs", Long.MAX_VALUE).build().process().rlimits())
        .containsExactly(new Rlimit("RLIMIT_NOFILE", 1_048_576, 1_048_576));
  }

  @Test
  void neverLowersTheOomScore() {
    assertThatThrownBy(() -> SpecBuilder.dockerDefaults("r", 1024).oomScoreAdj(-999))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SpecBuilder.dockerDefaults("r", 1024).oomScoreAdj(500).build().process().oomScoreAdj()).isEqualTo(500);
  }

  @Test
  void overridesKeepOneEntryEach() {
    Spec spec =
        SpecBuilder.dockerDefaults("r", 1024)
            .env(List.of("PATH=/bin", "A=1"))
            .env(List.of("A=2"))
            .mount(new Mount("/dev/shm", "bind", "/host/shm", List.of("rbind")))
            .hostNamespace("network")
            .joinNamespace("ipc", "/proc/1/ns/ipc")
            .memoryLimit(1 << 25)
            .pidsLimit(20)
            .build();

    assertThat(spec.process().env()).containsExactly("PATH=/bin", "A=2");
    assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).extracting(Mount::type).containsExactly("bind");
    assertThat(spec.linux().namespaces()).extracting(Namespace::type).doesNotContain("network");
    assertThat(spec.linux().namespaces()).contains(new Namespace("ipc", "/proc/1/ns/ipc"));
    assertThat(spec.linux().resources().memory().limit()).isEqualTo(1 << 25);
    assertThat(spec.linux().resources().memory().swap()).isNull();
    assertThat(spec.linux().resources().pids().limit()).isEqualTo(20);
  }
}
