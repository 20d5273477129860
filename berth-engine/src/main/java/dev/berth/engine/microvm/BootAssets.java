package dev.berth.engine.microvm;

import java.nio.file.Path;

/**
 * What a microVM boots: the uncompressed kernel, the initramfs (busybox, modules, Berth's
 * init), and where the kernel came from.
 *
 * @param kernel the kernel without its BTF in the guest's RAM (decision 3700)
 * @param kernelWithBtf the same kernel with its BTF, for a container that may load eBPF programs
 */
public record BootAssets(Path kernel, Path initramfs, String kernelVersion, Path kernelSource, Path kernelWithBtf) {
  public BootAssets(Path kernel, Path initramfs, String kernelVersion, Path kernelSource) {
    this(kernel, initramfs, kernelVersion, kernelSource, kernel);
  }

  /** These assets booting the kernel with its BTF (the guest kernel's BPF verifier needs it). */
  public BootAssets withBtf() {
    return new BootAssets(kernelWithBtf, initramfs, kernelVersion, kernelSource, kernelWithBtf);
  }
}
