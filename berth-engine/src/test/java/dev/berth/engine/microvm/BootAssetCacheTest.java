package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootAssetCacheTest {
  private static final byte[] VMLINUX = "\u007fELF the kernel".getBytes();

  @TempDir
  Path dir;

  private Path kernel;
  private Path modules;
  private Path busybox;

  /** A kernel named as Debian names it, its modules dir, and a static "busybox" (an ELF without PT_INTERP). */
  @BeforeEach
  void guest() throws IOException {
    kernel = dir.resolve("boot/vmlinuz-9.9.9-test");
    Files.createDirectories(kernel.getParent());
    Files.write(kernel, VMLINUX);
    modules = dir.resolve("modules");
    Path ver = modules.resolve("9.9.9-test");
    Files.createDirectories(ver.resolve("kernel"));
    Files.writeString(ver.resolve("modules.dep"), "kernel/virtio_ring.ko:\nkernel/virtio.ko: kernel/virtio_ring.ko\n"
        + "kernel/9pnet.ko:\nkernel/9p.ko.xz: kernel/9pnet.ko\nkernel/9pnet_virtio.ko: kernel/9pnet.ko kernel/virtio.ko\n"
        + "kernel/virtio_console.ko: kernel/virtio.ko\nkernel/failover.ko:\nkernel/net_failover.ko: kernel/failover.ko\n"
        + "kernel/virtio_net.ko: kernel/net_failover.ko kernel/failover.ko kernel/virtio.ko kernel/virtio_ring.ko\n");
    Files.writeString(ver.resolve("modules.builtin"), "kernel/drivers/virtio/virtio_mmio.ko\n");
    for (String m : List.of("virtio_ring", "virtio", "9pnet", "9pnet_virtio", "virtio_console", "failover",
        "net_failover", "virtio_net")) {
      Files.writeString(ver.resolve("kernel/" + m + ".ko"), "module " + m);
    }
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (XZCompressorOutputStream out = new XZCompressorOutputStream(xz)) {
      out.write("module 9p".getBytes());
    }
    Files.write(ver.resolve("kernel/9p.ko.xz"), xz.toByteArray());
    busybox = dir.resolve("busybox");
    byte[] elf = new byte[128];
    System.arraycopy(VMLINUX, 0, elf, 0, 4);
    Files.write(busybox, elf);
  }

  private BootAssetCache cache() {
    return new BootAssetCache(dir.resolve("assets"), Optional.of(kernel), modules, busybox);
  }

  @Test
  void concurrentFirstUsesBuildOnceAndTheInitramfsHoldsWhatTheGuestNeeds() throws Exception {
    BootAssetCache cache = cache();
    List<Callable<BootAssets>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(cache::get);
    }
    List<BootAssets> got = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (Future<BootAssets> f : pool.invokeAll(calls)) {
        got.add(f.get());
      }
    }
    assertThat(got).allSatisfy(a -> assertThat(a).isEqualTo(got.getFirst()));
    try (var dirs = Files.list(dir.resolve("assets"))) {
      assertThat(dirs.toList()).hasSize(1); // one build, no temp dirs left
    }
    BootAssets a = got.getFirst();
    assertThat(a.kernelVersion()).isEqualTo("9.9.9-test");
    assertThat(Files.readAllBytes(a.kernel())).isEqualTo(VMLINUX);

    List<String> names = new ArrayList<>();
    String order = null;
    String orderNet = null;
    String orderConsole = null;
    byte[] init = null;
    try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(Files.readAllBytes(a.initramfs())))) {
      CpioArchiveEntry e;
      while ((e = in.getNextCPIOEntry()) != null) {
        names.add(e.getName());
        if (e.getName().equals("lib/modules/order")) {
          order = new String(in.readAllBytes());
        }
        if (e.getName().equals("lib/modules/order-console")) {
          orderConsole = new String(in.readAllBytes());
        }
        if (e.getName().equals("lib/modules/order-net")) {
          orderNet = new String(in.readAllBytes());
        }
        if (e.getName().equals("init")) {
          init = in.readAllBytes();
        }
        if (e.getName().equals("lib/modules/9p.ko")) {
          assertThat(new String(in.readAllBytes())).isEqualTo("module 9p"); // inflated from .ko.xz
        }
      }
    }
    assertThat(names).contains("init", "init.sh", "bin/busybox", "dev/console", "lib/modules/9p.ko");
    // the guest's first process is the boot helper, which execs the shell init when it is done
    assertThat(init).isEqualTo(BootAssetCache.bootHelper());
    assertThat(order).isEqualTo("9pnet.ko\nvirtio_ring.ko\nvirtio.ko\n9pnet_virtio.ko\n9p.ko\n");
    // virtio-serial: at boot only with a terminal or stdin, else when berthd first needs the agent
    assertThat(orderConsole).isEqualTo("virtio_console.ko\n");
    // the network device and the dependencies the core set does not load already: only for a guest with a network
    assertThat(orderNet).isEqualTo("failover.ko\nnet_failover.ko\nvirtio_net.ko\n");
  }

  @Test
  void anotherModuleSetIsAnotherKey() throws IOException {
    Path ver = modules.resolve("9.9.9-test");
    BootAssetCache cache = cache();

    assertThat(cache.key(kernel, ver, GuestModules.WANTED))
        .isEqualTo(cache.key(kernel, ver, List.copyOf(GuestModules.WANTED)))
        .isNotEqualTo(cache.key(kernel, ver, GuestModules.WANTED.subList(0, GuestModules.WANTED.size() - 1)));
  }

  @Test
  void aChangedKernelGivesANewSetAndTheOldOneGoes() throws IOException, ExecutionException {
    BootAssets first = cache().get();
    Files.write(kernel, "\u007fELF a newer kernel".getBytes());
    Files.setLastModifiedTime(kernel, FileTime.fromMillis(Files.getLastModifiedTime(kernel).toMillis() + 5000));

    BootAssets second = cache().get();

    assertThat(second.kernel()).isNotEqualTo(first.kernel());
    assertThat(new String(Files.readAllBytes(second.kernel()))).endsWith("a newer kernel");
    assertThat(first.kernel()).doesNotExist();
  }

  @Test
  void aDynamicBusyboxOrAMissingKernelIsNamed() throws IOException {
    assertThatThrownBy(() -> new BootAssetCache(dir.resolve("a"), Optional.of(dir.resolve("nope")), modules, busybox)
        .get()).isInstanceOf(BerthException.Unavailable.class).hasMessageContaining("cannot be read");
    if (Files.exists(Path.of("/bin/sh")) && BootAssetCache.hasInterpreter(Files.readAllBytes(Path.of("/bin/sh")))) {
      assertThatThrownBy(() -> new BootAssetCache(dir.resolve("a"), Optional.of(kernel), modules, Path.of("/bin/sh"))
          .get()).isInstanceOf(BerthException.Unavailable.class).hasMessageContaining("busybox-static");
    }
  }
}
