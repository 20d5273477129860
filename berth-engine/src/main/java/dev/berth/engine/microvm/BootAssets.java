package dev.berth.engine.microvm;

import java.nio.file.Path;

/**
 * What a microVM boots: the uncompressed kernel, the initramfs (busybox, modules, Berth's
 * init), and where the kernel came from.
 */
public record BootAssets(Path kernel, Path initramfs, String kernelVersion, Path kernelSource) {}
