package dev.berth.engine.vm;

import java.util.List;

/**
 * What a caller asks for when creating a VM; every field but none may be null. Validated by
 * {@link VmService#create} into a {@link VmConfig}.
 *
 * @param memory a docker-style size such as 256m or 1g
 * @param disk an existing image PATH (used in place) or a SIZE for a new empty qcow2
 * @param fromDisk a base image: the VM gets a qcow2 overlay, so the base stays unchanged
 * @param cloudInit a user-data file, put on a NoCloud seed disk labelled cidata
 * @param ports HOSTPORT:GUESTPORT forwards on 127.0.0.1
 * @param accel auto (default), kvm or tcg
 * @param image an image (name or ID) in the store carrying a disk under /disk/ (KubeVirt's
 *     containerDisk); the VM gets a qcow2 overlay over it, as with {@code fromDisk}
 * @param networks Berth networks to attach the VM to (its address comes by DHCP); empty: QEMU's user-mode network
 */
public record VmSpec(
    String name,
    Integer cpus,
    String memory,
    String disk,
    String fromDisk,
    String kernel,
    String initrd,
    String append,
    String cloudInit,
    List<String> ports,
    String accel,
    String image,
    List<String> networks) {
  public VmSpec {
    ports = ports == null ? List.of() : List.copyOf(ports);
    networks = networks == null ? List.of() : List.copyOf(networks);
  }

  public VmSpec(String name, Integer cpus, String memory, String disk, String fromDisk, String kernel, String initrd,
      String append, String cloudInit, List<String> ports, String accel) {
    this(name, cpus, memory, disk, fromDisk, kernel, initrd, append, cloudInit, ports, accel, null, List.of());
  }
}
