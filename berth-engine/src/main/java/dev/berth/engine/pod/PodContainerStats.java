package dev.berth.engine.pod;

import java.time.Instant;
import java.util.Map;

/**
 * ContainerStats at {@code timestamp}: cumulative CPU time, memory (working set = usage minus
 * inactive file), the writable layer's bytes and inodes on {@code fsMountpoint}.
 */
public record PodContainerStats(String id, ContainerMetadata metadata, Map<String, String> labels,
    Map<String, String> annotations, Instant timestamp, long cpuUsageCoreNanos, long memoryWorkingSetBytes,
    long memoryUsageBytes, long memoryRssBytes, long pageFaults, long majorPageFaults, long writableLayerBytes,
    long writableLayerInodes, String fsMountpoint) {
}
