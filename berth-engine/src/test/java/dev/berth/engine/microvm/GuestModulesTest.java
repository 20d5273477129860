package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;

class GuestModulesTest {
  /** Lines of Debian 12's (6.1) modules.dep, in the file's order. */
  private static final String DEP = """
      kernel/fs/netfs/netfs.ko:
      kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
      kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
      kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
      kernel/drivers/virtio/virtio_ring.ko:
      kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
      kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
      kernel/net/9p/9pnet.ko:
      kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
      kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
      kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
      kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
      kernel/net/core/failover.ko:
      """;

  @Test
  void everyModuleComesAfterWhatItNeedsAndNothingElseIsLoaded() {
    Map<String, List<String>> deps = GuestModules.parseDeps(DEP);
    List<String> order = GuestModules.loadOrder(deps, GuestModules.WANTED, Set.of());

    assertThat(order.stream().map(GuestModules::name)).containsExactlyInAnyOrder("virtio_ring", "virtio",
        "virtio_mmio", "virtio_console", "9pnet", "9pnet_virtio", "netfs", "fscache", "9p", "failover", "net_failover",
        "virtio_net");
    for (String module : order) {
      for (String dep : deps.get(module)) {
        assertThat(order.indexOf(dep)).as("%s before %s", dep, module).isLessThan(order.indexOf(module));
      }
    }
  }

  @Test
  void builtInModulesNeedNoFileAndMissingOnesAreNamed() {
    String dep = "kernel/net/9p/9pnet.ko:\nkernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko\n";
    List<String> order = GuestModules.loadOrder(GuestModules.parseDeps(dep), List.of("virtio_mmio", "9p"),
        GuestModules.parseBuiltin("kernel/drivers/virtio/virtio_mmio.ko\n"));
    assertThat(order).containsExactly("kernel/net/9p/9pnet.ko", "kernel/fs/9p/9p.ko.xz");

    assertThatThrownBy(() -> GuestModules.loadOrder(GuestModules.parseDeps(dep), List.of("virtio_console"), Set.of()))
        .isInstanceOf(BerthException.Unavailable.class).hasMessageContaining("virtio_console");
  }

  @Test
  void compressedModulesAreInflatedForInsmod() throws IOException {
    byte[] ko = "\u007fELF module bytes".getBytes();
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (XZCompressorOutputStream out = new XZCompressorOutputStream(xz)) {
      out.write(ko);
    }
    assertThat(GuestModules.plain("kernel/fs/9p/9p.ko.xz", xz.toByteArray())).isEqualTo(ko);
    assertThat(GuestModules.plain("kernel/fs/9p/9p.ko", ko)).isEqualTo(ko);
    assertThat(GuestModules.name("kernel/drivers/char/hw_random/virtio-rng.ko.zst")).isEqualTo("virtio_rng");
  }
}
