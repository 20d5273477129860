package dev.berth.engine.state;

/**
 * A VM as stored: the vm package owns the meaning of {@code config} (JSON) and {@code state}.
 *
 * @param pid QEMU's pid while running or paused, else 0
 * @param accel kvm or tcg, from the last start; null before the first
 */
public record VmRow(
    String id,
    String name,
    String created,
    String config,
    String state,
    long pid,
    String accel,
    String startedAt,
    String stoppedAt) {}
