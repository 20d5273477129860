package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.stats.CgroupStats;
import dev.berth.engine.stats.ContainerStats;
import dev.berth.engine.stats.NetDev;
import dev.berth.engine.stats.HostCpu;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsJsonsTest {
  private static ContainerStats reading(long cpu, long system, long limit, Instant at) {
    var g = new CgroupStats(new CgroupStats.Cpu(cpu, cpu / 2, cpu / 2, List.of(cpu), new CgroupStats.Throttling(0, 0, 0)),
        new CgroupStats.Memory(1024, 0, limit, Map.of("rss", 1024L)), new CgroupStats.Pids(1, 0),
        List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 10)));
    return new ContainerStats("abc", "web", at, g, new HostCpu(system, 2), 1L << 30,
        Map.of("eth0", new NetDev.Counters(1296, 16, 0, 0, 726, 9, 0, 0)));
  }

  @Test
  void dockersShapeWithPrecpuFromTheEarlierReading() {
    Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    JsonNode j = Json.MAPPER.valueToTree(StatsJsons.stats(reading(500, 9000, 64 << 20, t0.plusSeconds(1)),
        reading(100, 1000, 64 << 20, t0)));
    assertThat(j.path("name").asText()).isEqualTo("/web");
    assertThat(j.path("read").asText()).isEqualTo("2026-11-27T10:00:01.000000000Z");
    assertThat(j.path("preread").asText()).isEqualTo("2026-11-27T10:00:00.000000000Z");
    assertThat(j.path("cpu_stats").path("cpu_usage").path("total_usage").asLong()).isEqualTo(500);
    assertThat(j.path("cpu_stats").path("system_cpu_usage").asLong()).isEqualTo(9000);
    assertThat(j.path("cpu_stats").path("online_cpus").asInt()).isEqualTo(2);
    assertThat(j.path("precpu_stats").path("cpu_usage").path("total_usage").asLong()).isEqualTo(100);
    assertThat(j.path("memory_stats").path("limit").asLong()).isEqualTo(64 << 20);
    assertThat(j.path("pids_stats").path("current").asInt()).isEqualTo(1);
    assertThat(j.path("pids_stats").has("limit")).isFalse(); // no limit: omitted, as Docker's omitempty
    assertThat(j.path("blkio_stats").path("io_service_bytes_recursive").get(0).path("op").asText()).isEqualTo("Read");
    assertThat(j.path("networks").path("eth0").path("rx_bytes").asLong()).isEqualTo(1296);
    assertThat(j.path("networks").path("eth0").path("tx_packets").asLong()).isEqualTo(9);
  }

  @Test
  void noLimitReportsHostMemoryAndNoEarlierReadingIsGosZeroTime() {
    JsonNode j = Json.MAPPER.valueToTree(StatsJsons.stats(reading(1, 1, 0, Instant.EPOCH), null));
    assertThat(j.path("memory_stats").path("limit").asLong()).isEqualTo(1L << 30);
    assertThat(j.path("preread").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(j.path("precpu_stats").path("cpu_usage").path("total_usage").asLong()).isZero();
  }
}
