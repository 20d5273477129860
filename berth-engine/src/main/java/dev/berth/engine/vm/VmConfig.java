package dev.berth.engine.vm;

import java.util.List;

/**
 * A VM's validated configuration, stored as JSON with the VM. Paths are absolute.
 *
 * @param disk the disk QEMU opens (the user's image, a new qcow2, or an overlay), or null
 * @param diskFormat qcow2, raw, ... as qemu-img reports it
 * @param baseDisk the base image of an overlay made by --from-disk, or null
 * @param ownsDisk true when Berth made the disk file (it goes with the VM on rm)
 * @param seed the cloud-init NoCloud seed image, or null
 * @param machine microvm (direct kernel boot) or q35 (firmware boot from disk)
 * @param accel what the user asked for: auto, kvm or tcg (what a start used is the VM's accel)
 * @param image the ID of the image whose /disk/ file is the base, or null (the image stays while the VM exists)
 * @param networks the Berth networks the VM is on (first is the one with the default route); empty: user-mode
 */
public record VmConfig(
    int cpus,
    long memoryBytes,
    String disk,
    String diskFormat,
    String baseDisk,
    boolean ownsDisk,
    String kernel,
    String initrd,
    String append,
    String seed,
    List<PortMapping> ports,
    String machine,
    String accel,
    String image,
    List<String> networks) {
  public VmConfig {
    ports = ports == null ? List.of() : List.copyOf(ports);
    networks = networks == null ? List.of() : List.copyOf(networks);
  }

  public VmConfig(int cpus, long memoryBytes, String disk, String diskFormat, String baseDisk, boolean ownsDisk,
      String kernel, String initrd, String append, String seed, List<PortMapping> ports, String machine, String accel) {
    this(cpus, memoryBytes, disk, diskFormat, baseDisk, ownsDisk, kernel, initrd, append, seed, ports, machine, accel,
        null, List.of());
  }
}
