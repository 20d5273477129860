package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pod's namespaces made inside berthd and bound on files (needs root, as berthd). */
class PinnedNamespacesTest {
  @TempDir
  Path dir;

  private static String nsenter(String... args) throws Exception {
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void netIpcAndUtsAreBoundWithTheHostnameAndSysctlsSetInside() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    Path net = Files.createFile(dir.resolve("net"));
    Path ipc = Files.createFile(dir.resolve("ipc"));
    Path uts = Files.createFile(dir.resolve("uts"));
    try {
      NetNamespaces.createBound(new NetNamespaces.Pinned(net, ipc, uts, "pod-host",
          Map.of("net.ipv4.ip_unprivileged_port_start", "77", "kernel.shm_rmid_forced", "1")));
      assertThat(List.of(net, ipc, uts)).allMatch(Mounts::isMountPoint);
      assertThat(nsenter("nsenter", "--uts=" + uts, "hostname")).isEqualTo("pod-host");
      assertThat(nsenter("nsenter", "--net=" + net, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"))
          .isEqualTo("77");
      assertThat(nsenter("nsenter", "--ipc=" + ipc, "cat", "/proc/sys/kernel/shm_rmid_forced")).isEqualTo("1");
      assertThat(nsenter("nsenter", "--net=" + net, "cat", "/sys/class/net/lo/operstate")).isIn("unknown", "up");
      // the host kept its own
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isNotEqualTo("pod-host");
      assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip())
          .isNotEqualTo("77");
    } finally {
      for (Path p : List.of(net, ipc, uts)) {
        if (Mounts.isMountPoint(p)) {
          Mounts.unmount(p, Mounts.MNT_DETACH);
        }
      }
    }
  }

  @Test
  void aFailureLeavesNothingBound() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    Path net = Files.createFile(dir.resolve("net"));
    Path uts = Files.createFile(dir.resolve("uts"));
    assertThatThrownBy(() -> NetNamespaces.createBound(new NetNamespaces.Pinned(net, null, uts, "h",
        Map.of("net.no.such.key", "1")))).isInstanceOf(IOException.class).hasMessageContaining("net.no.such.key");
    assertThat(Mounts.isMountPoint(net)).isFalse();
    assertThat(Mounts.isMountPoint(uts)).isFalse();
  }
}
