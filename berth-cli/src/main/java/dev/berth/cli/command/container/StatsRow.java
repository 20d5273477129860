package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Units;
import java.util.Locale;

/**
 * One line of {@code docker stats}, computed from the daemon's stats JSON as the docker CLI does
 * (cli/command/container/stats_helpers.go).
 */
record StatsRow(String id, String name, double cpuPercent, double memUsage, double memLimit, double memPercent,
    double netRx, double netTx, double blkRead, double blkWrite, long pids) {

  /** From one stats object; CPU % against its own precpu_stats. */
  static StatsRow of(JsonNode s) {
    return of(s, s.path("precpu_stats"));
  }

  /** From one stats object with CPU % against {@code pre} (an earlier cpu_stats). */
  static StatsRow of(JsonNode s, JsonNode pre) {
    JsonNode cpu = s.path("cpu_stats");
    int cpus = cpu.path("online_cpus").asInt(0);
    if (cpus == 0) {
      cpus = cpu.path("cpu_usage").path("percpu_usage").size();
    }
    double cpuPercent = cpuPercent(pre.path("cpu_usage").path("total_usage").asLong(),
        pre.path("system_cpu_usage").asLong(), cpu.path("cpu_usage").path("total_usage").asLong(),
        cpu.path("system_cpu_usage").asLong(), cpus);
    JsonNode mem = s.path("memory_stats");
    double usage = memUsageNoCache(mem);
    double limit = mem.path("limit").asDouble(0);
    double memPercent = limit != 0 ? usage / limit * 100.0 : 0;
    double rx = 0;
    double tx = 0;
    for (JsonNode n : s.path("networks")) {
      rx += n.path("rx_bytes").asDouble(0);
      tx += n.path("tx_bytes").asDouble(0);
    }
    double read = 0;
    double write = 0;
    for (JsonNode e : s.path("blkio_stats").path("io_service_bytes_recursive")) {
      String op = e.path("op").asText().toLowerCase(Locale.ROOT);
      if (op.equals("read")) {
        read += e.path("value").asDouble(0);
      } else if (op.equals("write")) {
        write += e.path("value").asDouble(0);
      }
    }
    String id = s.path("id").asText();
    return new StatsRow(id, s.path("name").asText().replaceFirst("^/", ""),
        cpuPercent, usage, limit, memPercent, rx, tx, read, write, s.path("pids_stats").path("current").asLong(0));
  }

  /** Docker's CPU %: the container's share of the host's CPU time since the earlier reading, times the CPUs. */
  static double cpuPercent(long preTotal, long preSystem, long total, long system, int onlineCpus) {
    double cpuDelta = (double) total - preTotal;
    double systemDelta = (double) system - preSystem;
    if (cpuDelta > 0 && systemDelta > 0) {
      return cpuDelta / systemDelta * onlineCpus * 100.0;
    }
    return 0;
  }

  /** Usage without the inactive page cache, as the docker CLI shows it (v1: total_inactive_file; v2: inactive_file). */
  static double memUsageNoCache(JsonNode mem) {
    double usage = mem.path("usage").asDouble(0);
    JsonNode st = mem.path("stats");
    String key = st.has("total_inactive_file") ? "total_inactive_file" : "inactive_file";
    double inactive = st.path(key).asDouble(0);
    return inactive < usage ? usage - inactive : usage;
  }

  /** The row under docker's template field names (.ID, .Name, .CPUPerc, .MemUsage, …). */
  ObjectNode fields(boolean noTrunc) {
    ObjectNode o = Json.object();
    String shown = noTrunc || id.length() <= 12 ? id : id.substring(0, 12);
    o.put("Container", shown);
    o.put("ID", shown);
    o.put("Name", name);
    o.put("CPUPerc", String.format(Locale.ROOT, "%.2f%%", cpuPercent));
    o.put("MemUsage", Units.bytesBinary((long) memUsage) + " / " + Units.bytesBinary((long) memLimit));
    o.put("MemPerc", String.format(Locale.ROOT, "%.2f%%", memPercent));
    o.put("NetIO", Units.bytesDecimal(netRx) + " / " + Units.bytesDecimal(netTx));
    o.put("BlockIO", Units.bytesDecimal(blkRead) + " / " + Units.bytesDecimal(blkWrite));
    o.put("PIDs", Long.toString(pids));
    return o;
  }
}
