package dev.berth.engine.bench;

import java.time.Duration;

/**
 * How much each measurement does, per kind: quick budgets keep {@code berth bench --quick} near a
 * minute on a small machine (microVMs under TCG boot in seconds, so they get fewer runs).
 *
 * @param runs timed start runs
 * @param warmups start runs made first and not counted (caches, first CNI use)
 * @param workloadMib size of the hashed file and of the written-and-read file
 * @param syscalls 1-byte reads and writes of the syscall loop (each is one read and one write)
 * @param workloadRuns runs of the workload inside and on the host, alternated; the fastest of each counts
 * @param networkMib bytes sent per throughput measurement
 * @param densityMemoryMib the memory budget of the density measurement
 * @param densityTime its time budget
 * @param densityCap the most instances it starts, whatever the budgets
 */
public record Budgets(int runs, int warmups, int workloadMib, int syscalls, int workloadRuns, int networkMib, long densityMemoryMib,
    Duration densityTime, int densityCap) {

  public static Budgets of(BenchOptions options, String kind) {
    boolean vm = kind.equals("microvm");
    Budgets b;
    if (options.quick()) {
      // A microVM boot costs seconds under TCG (5-13 s on a loaded 2-core machine): two timed boots,
      // no warm-up, a small network transfer, and a density budget that fits a boot or two.
      b = vm ? new Budgets(2, 0, 8, 20_000, 1, 2, 1024, Duration.ofSeconds(15), 3)
          : new Budgets(5, 1, 16, 100_000, 3, 32, 256, Duration.ofSeconds(4), 16);
    } else {
      b = vm ? new Budgets(10, 1, 32, 100_000, 3, 64, 4096, Duration.ofSeconds(60), 32)
          : new Budgets(20, 2, 64, 500_000, 5, 256, 1024, Duration.ofSeconds(30), 200);
    }
    return options.runs() > 0 ? b.withRuns(options.runs()) : b;
  }

  Budgets withRuns(int n) {
    return new Budgets(n, warmups, workloadMib, syscalls, workloadRuns, networkMib, densityMemoryMib, densityTime,
        densityCap);
  }
}
