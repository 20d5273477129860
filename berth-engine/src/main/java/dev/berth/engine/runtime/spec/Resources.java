package dev.berth.engine.runtime.spec;

import java.util.List;

/** cgroup limits; nulls mean "leave the runtime's default" (or, for an update, the current value). */
public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids, BlockIo blockIO) {

  public Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {
    this(devices, memory, cpu, pids, null);
  }

  /** Bytes; swap is memory+swap as in cgroup v1 ({@code -1} = unlimited). */
  public record Memory(Long limit, Long reservation, Long swap, Long swappiness, Boolean disableOOMKiller) {
    public static Memory limit(long bytes) {
      return new Memory(bytes, null, null, null, null);
    }
  }

  /** CFS shares/quota/period and cpuset lists ("0-1"). */
  public record Cpu(Long shares, Long quota, Long period, String cpus, String mems) {}

  /** Maximum number of tasks ({@code -1} = unlimited). */
  public record Pids(long limit) {}

  /** The block I/O weight (10-1000). */
  public record BlockIo(Integer weight) {}
}
