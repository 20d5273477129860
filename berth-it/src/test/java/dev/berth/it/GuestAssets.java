package dev.berth.it;

import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the VM tests boot: the host's Debian kernel (uncompressed when the xz payload can be
 * cut out of the bzImage, which boots about twice as fast under TCG) and a tiny busybox
 * initramfs built here. Its /init prints {@link #MARKER} on the serial console and runs a
 * shell there; with {@code berth.root=/dev/vda} on the command line it loads virtio-blk and
 * ext4 from the host's modules and switches to the root file system on the disk instead.
 */
final class GuestAssets {
  static final String MARKER = "BERTH-GUEST-READY";
  static final String KERNEL_RELEASE_GLOB = "vmlinuz-";
  private static final List<String> DISK_MODULES = List.of(
      "kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
      "kernel/drivers/virtio/virtio_mmio.ko", "kernel/drivers/block/virtio_blk.ko",
      "kernel/lib/crc16.ko", "kernel/fs/mbcache.ko", "kernel/fs/jbd2/jbd2.ko",
      "kernel/crypto/crc32c_generic.ko", "kernel/fs/ext4/ext4.ko",
      // a VM on a Berth network: virtio-net and what it needs
      "kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko");

  final Path kernel;
  final Path initrd;
  final Path busybox = Path.of("/bin/busybox");

  private GuestAssets(Path kernel, Path initrd) {
    this.kernel = kernel;
    this.initrd = initrd;
  }

  /** The newest /boot/vmlinuz-*, or empty when the host has no guest kernel installed. */
  static Optional<Path> hostKernel() {
    try (var files = Files.list(Path.of("/boot"))) {
      return files.filter(p -> p.getFileName().toString().startsWith(KERNEL_RELEASE_GLOB)).sorted().reduce((a, b) -> b);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static GuestAssets build(Path dir) throws IOException {
    Path vmlinuz = hostKernel().orElseThrow();
    String release = vmlinuz.getFileName().toString().substring(KERNEL_RELEASE_GLOB.length());
    Path kernel = uncompressed(vmlinuz, dir.resolve("vmlinux")).orElse(vmlinuz);
    Path root = dir.resolve("initramfs");
    Files.createDirectories(root.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "newroot", "lib/modules")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    Path modules = Path.of("/lib/modules", release);
    for (String m : DISK_MODULES) {
      Path src = modules.resolve(m);
      if (Files.exists(src)) {
        Files.copy(src, root.resolve("lib/modules").resolve(src.getFileName()));
      }
    }
    StringBuilder insmods = new StringBuilder();
    for (String m : DISK_MODULES) {
      insmods.append("  insmod /lib/modules/").append(Path.of(m).getFileName()).append('\n');
    }
    script(root.resolve("init"), """
        #!/bin/busybox sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        mount -t devtmpfs dev /dev
        if grep -q berth.root=/dev/vda /proc/cmdline; then
        %s  i=0
          while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
          mount -t ext4 /dev/vda /newroot || echo BERTH-MOUNT-FAILED
          umount /proc /sys
          mount --move /dev /newroot/dev
          exec switch_root /newroot /init
        fi
        echo %s
        exec setsid cttyhack sh
        """.formatted(insmods, MARKER));
    Path initrd = dir.resolve("initramfs.cpio.gz");
    ProcessResult cpio = Commands.run(List.of("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet"
        + " | gzip -1 > '" + initrd + "'"), Duration.ofMinutes(1));
    if (cpio.exitCode() != 0) {
      throw new IllegalStateException("building the initramfs failed: " + cpio);
    }
    return new GuestAssets(kernel, initrd);
  }

  /**
   * A small ext4 root file system image: busybox, and an /init that prints {@code marker} and
   * writes a file (so a test can see that writes went to the overlay, not the base).
   */
  static Path rootDisk(Path dir, String marker) throws IOException {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    // udhcpc's script: what a DHCP lease says, set on the interface
    script(root.resolve("udhcpc.sh"), """
        #!/bin/busybox sh
        [ "$1" = bound ] || exit 0
        ip link set "$interface" up
        ip addr add "$ip/$mask" dev "$interface"
        [ -z "$router" ] || ip route add default via "${router%% *}"
        echo "DHCP-BOUND $ip"
        """);
    script(root.resolve("init"), """
        #!/bin/busybox sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        echo "written by the guest" > /guest-was-here
        sync
        echo %s
        exec setsid cttyhack sh
        """.formatted(marker));
    Path image = dir.resolve("base.ext4");
    ProcessResult mkfs = Commands.run(List.of("mkfs.ext4", "-q", "-d", root.toString(),
        image.toString(), "64M"), Duration.ofMinutes(1));
    if (mkfs.exitCode() != 0) {
      throw new IllegalStateException("mkfs.ext4 failed: " + mkfs);
    }
    return image;
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Cuts the xz-compressed vmlinux out of a bzImage; empty when there is none or xz fails. */
  private static Optional<Path> uncompressed(Path bzImage, Path out) {
    try {
      byte[] image = Files.readAllBytes(bzImage);
      byte[] magic = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
      int at = indexOf(image, magic);
      if (at < 0) {
        return Optional.empty();
      }
      Path xz = out.resolveSibling("vmlinux.xz");
      Files.write(xz, java.util.Arrays.copyOfRange(image, at, image.length));
      // xz complains about the bytes after the stream (trailing garbage) but writes the kernel.
      Commands.run(List.of("sh", "-c", "xz -dc '" + xz + "' > '" + out + "' 2>/dev/null"), Duration.ofMinutes(2));
      Files.deleteIfExists(xz);
      byte[] head = new byte[4];
      try (var in = Files.newInputStream(out)) {
        if (in.read(head) != 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
          return Optional.empty();
        }
      }
      return Optional.of(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
