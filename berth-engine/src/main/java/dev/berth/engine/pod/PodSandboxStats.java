package dev.berth.engine.pod;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** PodSandboxStats: the pod's cgroup totals, its interfaces' counters, process count, its containers. */
public record PodSandboxStats(String id, PodMetadata metadata, Map<String, String> labels,
    Map<String, String> annotations, Instant timestamp, long cpuUsageCoreNanos, long memoryWorkingSetBytes,
    long memoryUsageBytes, List<Interface> interfaces, long processCount, List<PodContainerStats> containers) {

  /** One network interface of the pod's namespace; the first is the default one (eth0). */
  public record Interface(String name, long rxBytes, long rxErrors, long txBytes, long txErrors) {
  }
}
