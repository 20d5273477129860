package dev.berth.engine.stats;

import java.time.Instant;
import java.util.Map;

/**
 * A reading of one container for {@code docker stats}. {@code cgroup} is null when the container
 * does not run (Docker then answers with zeros); {@code networks} is empty then, and for
 * containers without a network namespace of their own (host, none).
 */
public record ContainerStats(String id, String name, Instant read, CgroupStats cgroup, HostCpu host,
    long hostMemory, Map<String, NetDev.Counters> networks) {
  public ContainerStats {
    networks = networks == null ? Map.of() : Map.copyOf(networks);
  }
}
