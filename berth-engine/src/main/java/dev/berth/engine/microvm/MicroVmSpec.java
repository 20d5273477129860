package dev.berth.engine.microvm;

import java.nio.file.Path;
import java.util.List;

/**
 * One microVM boot of a container.
 *
 * @param id the container's full ID (it is in QEMU's command line, which is how reconcile knows the process)
 * @param rootfs the container's mounted rootfs, shared with the guest over 9p
 * @param accel kvm or tcg
 * @param hostKhz the host's TSC rate, for microvm under TCG (0 = unknown)
 * @param interfaces the guest's network interfaces (taps in the container's namespace); none for --network none
 * @param mounts volumes, binds and tmpfs, in the order the guest mounts them
 * @param tty whether the main process has a terminal (its output then comes through the console hvc0)
 * @param stdin whether the main process reads stdin from the host (-i without -t)
 */
public record MicroVmSpec(String id, Path rootfs, MicroVmPaths paths, BootAssets assets, String accel, long hostKhz,
    int cpus, long memoryMib, List<GuestInterface> interfaces, List<GuestMount> mounts, boolean tty, boolean stdin) {
  public MicroVmSpec {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
  }

  public MicroVmSpec(String id, Path rootfs, MicroVmPaths paths, BootAssets assets, String accel, long hostKhz,
      int cpus, long memoryMib, List<GuestInterface> interfaces) {
    this(id, rootfs, paths, assets, accel, hostKhz, cpus, memoryMib, interfaces, List.of(), false, false);
  }
}
