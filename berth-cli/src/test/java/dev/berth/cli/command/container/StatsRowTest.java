package dev.berth.cli.command.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cli.output.Units;
import org.junit.jupiter.api.Test;

class StatsRowTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void cpuPercentAsTheDockerCliComputesIt() {
    // 0.2 s of container CPU in 1 s of host time summed over 2 CPUs (2 s): 10 % of the host, ×2 CPUs.
    assertThat(StatsRow.cpuPercent(0, 0, 200_000_000, 2_000_000_000, 2)).isEqualTo(20.0);
    assertThat(StatsRow.cpuPercent(5, 5, 5, 10, 2)).isZero(); // idle container
    assertThat(StatsRow.cpuPercent(0, 10, 5, 10, 2)).isZero(); // no host time passed
  }

  @Test
  void rowFromDockersStatsJson() throws Exception {
    JsonNode s = JSON.readTree("""
        {"id":"0123456789abcdef","name":"/web",
         "cpu_stats":{"cpu_usage":{"total_usage":300},"system_cpu_usage":2000,"online_cpus":2},
         "precpu_stats":{"cpu_usage":{"total_usage":100},"system_cpu_usage":1000},
         "memory_stats":{"usage":10485760,"limit":67108864,"stats":{"total_inactive_file":2097152}},
         "pids_stats":{"current":3},
         "blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":1500},
                                                      {"major":8,"minor":0,"op":"Write","value":2000000}]},
         "networks":{"eth0":{"rx_bytes":1000,"tx_bytes":20}}}""");

    JsonNode row = StatsRow.of(s).fields(false);

    assertThat(row.path("ID").asText()).isEqualTo("0123456789ab");
    assertThat(row.path("Name").asText()).isEqualTo("web");
    assertThat(row.path("CPUPerc").asText()).isEqualTo("40.00%"); // 200/1000 × 2 × 100
    assertThat(row.path("MemUsage").asText()).isEqualTo("8MiB / 64MiB"); // usage minus inactive file cache
    assertThat(row.path("MemPerc").asText()).isEqualTo("12.50%");
    assertThat(row.path("NetIO").asText()).isEqualTo("1kB / 20B");
    assertThat(row.path("BlockIO").asText()).isEqualTo("1.5kB / 2MB");
    assertThat(row.path("PIDs").asText()).isEqualTo("3");
    assertThat(StatsRow.of(s).fields(true).path("ID").asText()).isEqualTo("0123456789abcdef");
  }

  @Test
  void decimalSizesLikeGoUnitsHumanSize() {
    assertThat(Units.bytesDecimal(0)).isEqualTo("0B");
    assertThat(Units.bytesDecimal(999)).isEqualTo("999B");
    assertThat(Units.bytesDecimal(1234567)).isEqualTo("1.23MB");
  }
}
