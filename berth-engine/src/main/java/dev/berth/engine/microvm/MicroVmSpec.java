package dev.berth.engine.microvm;

import java.nio.file.Path;

/**
 * One microVM boot of a container.
 *
 * @param id the container's full ID (it is in QEMU's command line, which is how reconcile knows the process)
 * @param rootfs the container's mounted rootfs, shared with the guest over 9p
 * @param accel kvm or tcg
 * @param hostKhz the host's TSC rate, for microvm under TCG (0 = unknown)
 */
public record MicroVmSpec(String id, Path rootfs, MicroVmPaths paths, BootAssets assets, String accel, long hostKhz,
    int cpus, long memoryMib) {}
