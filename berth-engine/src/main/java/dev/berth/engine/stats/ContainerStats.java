package dev.berth.engine.stats;

import java.time.Instant;

/**
 * A reading of one container for {@code docker stats}. {@code cgroup} is null when the container
 * does not run (Docker then answers with zeros).
 */
public record ContainerStats(String id, String name, Instant read, CgroupStats cgroup, HostCpu host,
    long hostMemory) {}
