package dev.berth.engine.pod;

import dev.berth.engine.container.ContainerService;
import dev.berth.engine.stats.CgroupStats;
import dev.berth.engine.stats.ContainerStats;
import dev.berth.engine.stats.NetDev;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CRI's stats from Berth's cgroup readings (as {@code docker stats} reads them) and the writable layer's size. */
final class PodStatistics {
  private final ContainerService containers;

  PodStatistics(ContainerService containers) {
    this.containers = containers;
  }

  PodContainerStats container(String id, ContainerMetadata metadata, Map<String, String> labels,
      Map<String, String> annotations) {
    ContainerStats s = containers.metrics().stats(id);
    CgroupStats cg = s.cgroup();
    long cpu = cg == null || cg.cpu() == null ? 0 : cg.cpu().totalUsage();
    long usage = 0;
    long workingSet = 0;
    long rss = 0;
    long faults = 0;
    long majorFaults = 0;
    if (cg != null && cg.memory() != null) {
      Map<String, Long> m = cg.memory().stats();
      usage = cg.memory().usage();
      long inactiveFile = first(m, "total_inactive_file", "inactive_file");
      workingSet = Math.max(0, usage - inactiveFile); // kubelet's working set
      rss = first(m, "total_rss", "anon");
      faults = first(m, "total_pgfault", "pgfault");
      majorFaults = first(m, "total_pgmajfault", "pgmajfault");
    }
    Path upper = containers.dir(id).resolve("upper");
    long[] layer = usage(upper);
    return new PodContainerStats(id, metadata, labels, annotations, s.read(), cpu, workingSet, usage, rss, faults,
        majorFaults, layer[0], layer[1], upper.toString());
  }

  /** The pod's totals: its containers' sums plus the infra's; the network of the infra's namespace. */
  PodSandboxStats sandbox(SandboxRecord r, List<PodContainerStats> members) {
    // A sandbox without an infra container (decision 2100) is the sum of its containers, whose
    // network namespace is the pod's.
    ContainerStats infra = r.pinned() ? null : containers.metrics().stats(r.id());
    CgroupStats cg = infra == null ? null : infra.cgroup();
    long cpu = cg == null || cg.cpu() == null ? 0 : cg.cpu().totalUsage();
    long usage = cg == null || cg.memory() == null ? 0 : cg.memory().usage();
    long workingSet = usage;
    long processes = cg == null || cg.pids() == null ? 0 : cg.pids().current();
    for (PodContainerStats c : members) {
      cpu += c.cpuUsageCoreNanos();
      usage += c.memoryUsageBytes();
      workingSet += c.memoryWorkingSetBytes();
    }
    for (PodContainerStats c : members) {
      try {
        ContainerStats s = containers.metrics().stats(c.id());
        if (s.cgroup() != null && s.cgroup().pids() != null) {
          processes += s.cgroup().pids().current();
        }
      } catch (RuntimeException gone) {
        // removed meanwhile
      }
    }
    Map<String, NetDev.Counters> networks = infra != null ? infra.networks() : Map.of();
    for (PodContainerStats c : members) {
      if (infra == null && networks.isEmpty()) {
        try {
          networks = containers.metrics().stats(c.id()).networks();
        } catch (RuntimeException gone) {
          // removed meanwhile
        }
      }
    }
    List<PodSandboxStats.Interface> interfaces = new ArrayList<>();
    for (Map.Entry<String, NetDev.Counters> e : networks.entrySet()) {
      if (e.getKey().equals("lo")) {
        continue;
      }
      NetDev.Counters n = e.getValue();
      PodSandboxStats.Interface i = new PodSandboxStats.Interface(e.getKey(), n.rxBytes(), n.rxErrors(), n.txBytes(),
          n.txErrors());
      if (e.getKey().equals("eth0")) {
        interfaces.addFirst(i);
      } else {
        interfaces.add(i);
      }
    }
    return new PodSandboxStats(r.id(), r.spec().metadata(), r.spec().labels(), r.spec().annotations(),
        infra != null ? infra.read() : java.time.Instant.now(),
        cpu, workingSet, usage, interfaces, processes, members);
  }

  private static long first(Map<String, Long> m, String v1, String v2) {
    Long v = m.get(v1);
    if (v == null) {
      v = m.get(v2);
    }
    return v == null ? 0 : v;
  }

  /** Bytes and inodes under {@code dir} (the overlay's upper dir: what the container wrote). */
  static long[] usage(Path dir) {
    long[] total = new long[2];
    if (!Files.isDirectory(dir)) {
      return total;
    }
    try {
      Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes a) {
          total[0] += a.size();
          total[1]++;
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
          total[1]++;
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // counted what could be read
    }
    return total;
  }
}
