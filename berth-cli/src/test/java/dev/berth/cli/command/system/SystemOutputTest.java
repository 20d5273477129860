package dev.berth.cli.command.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** docker's layouts for events lines and the df summary. */
class SystemOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anEventLineHasTimeTypeActionIdAndSortedAttributes() throws Exception {
    TimeZone before = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    try {
      JsonNode m = JSON.readTree("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\","
          + "\"Attributes\":{\"name\":\"web\",\"exitCode\":\"0\",\"image\":\"bb\"}},\"time\":1700000000,"
          + "\"timeNano\":1700000000000000001}");
      assertThat(EventsCommand.pretty(m))
          .isEqualTo("2023-11-14T22:13:20.000000001Z container die abc (exitCode=0, image=bb, name=web)");
      assertThat(EventsCommand.goFields(m).path("Actor").path("Attributes").path("name").asText()).isEqualTo("web");
    } finally {
      TimeZone.setDefault(before);
    }
  }

  @Test
  void dfCountsActiveImagesAndReclaimableSpaceAsDockerDoes() throws Exception {
    JsonNode df = JSON.readTree("{\"LayersSize\":3000000,\"Images\":[{\"Size\":2000000,\"SharedSize\":1000000,"
        + "\"Containers\":1},{\"Size\":1000000,\"SharedSize\":1000000,\"Containers\":0}],"
        + "\"Containers\":[{\"SizeRw\":100,\"State\":\"running\"},{\"SizeRw\":300,\"State\":\"exited\"}],"
        + "\"Volumes\":[]}");
    JsonNode images = DiskUsageCommand.imagesRow(df);
    assertThat(images.path("TotalCount").asText()).isEqualTo("2");
    assertThat(images.path("Active").asText()).isEqualTo("1");
    assertThat(images.path("Size").asText()).isEqualTo("3MB");
    assertThat(images.path("Reclaimable").asText()).isEqualTo("2MB (66%)");
    JsonNode containers = DiskUsageCommand.containersRow(df);
    assertThat(containers.path("Size").asText()).isEqualTo("400B");
    assertThat(containers.path("Reclaimable").asText()).isEqualTo("300B (75%)");
    assertThat(DiskUsageCommand.humanSize(2_009_123)).isEqualTo("2.009MB");
    assertThat(DiskUsageCommand.humanSize(0)).isEqualTo("0B");
  }

  @Test
  void theBuildCacheRowCountsWhatNoTaggedImageHolds() throws Exception {
    JsonNode df = JSON.readTree("{\"BuildCache\":[{\"Size\":2000000,\"Shared\":false,\"InUse\":false},"
        + "{\"Size\":1000000,\"Shared\":true,\"InUse\":false},{\"Size\":0,\"Shared\":false,\"InUse\":false}]}");
    JsonNode row = DiskUsageCommand.cacheRow(df);
    assertThat(row.path("TotalCount").asText()).isEqualTo("3");
    assertThat(row.path("Active").asText()).isEqualTo("0");
    assertThat(row.path("Size").asText()).isEqualTo("2MB");
    assertThat(row.path("Reclaimable").asText()).isEqualTo("2MB");
  }
}
