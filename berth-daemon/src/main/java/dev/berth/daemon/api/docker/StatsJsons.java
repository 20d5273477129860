package dev.berth.daemon.api.docker;

import dev.berth.engine.stats.CgroupStats;
import dev.berth.engine.stats.ContainerStats;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's stats JSON (moby's api/types/container StatsResponse) from engine readings. */
final class StatsJsons {
  private static final DateTimeFormatter RFC3339_NANO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
  /** Go's zero time, which Docker sends as preread when there is no earlier reading. */
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private StatsJsons() {}

  /** {@code prev} is the reading a second before (CPU % comes from the two); null for none. */
  static Map<String, Object> stats(ContainerStats cur, ContainerStats prev) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "/" + cur.name());
    m.put("id", cur.id());
    m.put("read", time(cur.read()));
    m.put("preread", prev == null ? ZERO_TIME : time(prev.read()));
    CgroupStats g = cur.cgroup();
    Map<String, Object> pids = new LinkedHashMap<>();
    pids.put("current", g == null ? 0 : g.pids().current());
    if (g != null && g.pids().limit() > 0) {
      pids.put("limit", g.pids().limit());
    }
    m.put("pids_stats", pids);
    m.put("blkio_stats", blkio(g));
    m.put("num_procs", 0);
    m.put("storage_stats", Map.of());
    m.put("cpu_stats", cpu(cur));
    m.put("precpu_stats", prev == null ? emptyCpu() : cpu(prev));
    m.put("memory_stats", memory(cur));
    if (!cur.networks().isEmpty()) {
      Map<String, Object> nets = new java.util.TreeMap<>();
      cur.networks().forEach((name, n) -> nets.put(name, networkJson(n)));
      m.put("networks", nets);
    }
    return m;
  }

  private static Map<String, Object> cpu(ContainerStats s) {
    CgroupStats g = s.cgroup();
    if (g == null) {
      return emptyCpu();
    }
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("total_usage", g.cpu().totalUsage());
    if (!g.cpu().percpu().isEmpty()) {
      usage.put("percpu_usage", g.cpu().percpu());
    }
    usage.put("usage_in_kernelmode", g.cpu().kernelUsage());
    usage.put("usage_in_usermode", g.cpu().userUsage());
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("cpu_usage", usage);
    c.put("system_cpu_usage", s.host().systemUsage());
    c.put("online_cpus", s.host().onlineCpus());
    c.put("throttling_data", Map.of("periods", g.cpu().throttling().periods(), "throttled_periods",
        g.cpu().throttling().throttledPeriods(), "throttled_time", g.cpu().throttling().throttledTime()));
    return c;
  }

  private static Map<String, Object> networkJson(dev.berth.engine.stats.NetDev.Counters n) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("rx_bytes", n.rxBytes());
    j.put("rx_packets", n.rxPackets());
    j.put("rx_errors", n.rxErrors());
    j.put("rx_dropped", n.rxDropped());
    j.put("tx_bytes", n.txBytes());
    j.put("tx_packets", n.txPackets());
    j.put("tx_errors", n.txErrors());
    j.put("tx_dropped", n.txDropped());
    return j;
  }

  private static Map<String, Object> emptyCpu() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("cpu_usage", Map.of("total_usage", 0, "usage_in_kernelmode", 0, "usage_in_usermode", 0));
    c.put("throttling_data", Map.of("periods", 0, "throttled_periods", 0, "throttled_time", 0));
    return c;
  }

  private static Map<String, Object> memory(ContainerStats s) {
    CgroupStats g = s.cgroup();
    Map<String, Object> m = new LinkedHashMap<>();
    if (g == null) {
      return m; // Docker sends {} for a container that does not run
    }
    m.put("usage", g.memory().usage());
    if (g.memory().maxUsage() > 0) {
      m.put("max_usage", g.memory().maxUsage());
    }
    m.put("stats", g.memory().stats());
    // Docker reports the host's memory as the limit of a container without one.
    m.put("limit", g.memory().limit() > 0 ? g.memory().limit() : s.hostMemory());
    return m;
  }

  private static Map<String, Object> blkio(CgroupStats g) {
    Map<String, Object> b = new LinkedHashMap<>();
    List<Map<String, Object>> bytes = g == null ? List.of() : g.blkio().stream()
        .map(e -> Map.<String, Object>of("major", e.major(), "minor", e.minor(), "op", e.op(), "value", e.value()))
        .toList();
    // dockerd (cgroup v1 here) answers empty lists, not null, for what it could not read
    b.put("io_service_bytes_recursive", g == null ? null : bytes);
    for (String k : List.of("io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive",
        "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive")) {
      b.put(k, g == null ? null : List.of());
    }
    return b;
  }

  private static String time(Instant t) {
    return RFC3339_NANO.format(t);
  }
}
