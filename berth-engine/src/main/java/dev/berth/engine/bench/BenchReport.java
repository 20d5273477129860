package dev.berth.engine.bench;

import java.util.List;

/**
 * One stored bench run (docs/bench.md describes every field).
 *
 * @param id 12 hex digits
 * @param created when it started (RFC 3339, UTC)
 * @param durationSeconds how long the whole run took
 * @param options what was asked
 * @param host the machine it ran on
 * @param kinds one row per kind of isolation, in {@link BenchOptions#ALL_KINDS} order
 */
public record BenchReport(String id, String created, double durationSeconds, BenchOptions options, Host host,
    List<KindResult> kinds) {
  public BenchReport {
    kinds = List.copyOf(kinds);
  }

  /**
   * @param kernel the host's kernel release
   * @param cpus online CPUs
   * @param memoryBytes total memory
   * @param loadAverage the 1-minute load average when the run started (numbers are noisy above the CPU count)
   * @param berthVersion the engine that measured
   */
  public record Host(String kernel, int cpus, long memoryBytes, double loadAverage, String berthVersion) {}

  /** A line of the list: what {@code berth bench ls} shows. */
  public record Summary(String id, String created, double durationSeconds, boolean quick, String image,
      List<String> measured) {}

  public Summary summary() {
    return new Summary(id, created, durationSeconds, options.quick(), options.image(),
        kinds.stream().filter(k -> k.status().equals("measured") || k.status().equals("partial"))
            .map(KindResult::kind).toList());
  }
}
