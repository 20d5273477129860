package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.events.Event;
import dev.berth.engine.filesystem.PathStat;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's wire shapes for events and for the archive path stat header. */
class EventAndArchiveJsonsTest {
  @Test
  void aContainerEventCarriesTheLegacyFieldsAndNanoseconds() throws Exception {
    Event e = new Event("container", "die", "abc", Map.of("image", "busybox", "name", "web", "exitCode", "3"),
        Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
    JsonNode n = Json.MAPPER.valueToTree(EventRoutes.message(e));
    assertThat(n.path("status").asText()).isEqualTo("die");
    assertThat(n.path("id").asText()).isEqualTo("abc");
    assertThat(n.path("from").asText()).isEqualTo("busybox");
    assertThat(n.path("Type").asText()).isEqualTo("container");
    assertThat(n.path("Action").asText()).isEqualTo("die");
    assertThat(n.path("Actor").path("ID").asText()).isEqualTo("abc");
    assertThat(n.path("Actor").path("Attributes").path("exitCode").asText()).isEqualTo("3");
    assertThat(n.path("scope").asText()).isEqualTo("local");
    assertThat(n.path("time").asLong()).isEqualTo(1_700_000_000L);
    assertThat(n.path("timeNano").asLong()).isEqualTo(1_700_000_000_123_456_789L);
  }

  @Test
  void otherEventsHaveNoLegacyFields() {
    Map<String, Object> m = EventRoutes.message(new Event("network", "create", "n1", Map.of(), Instant.now()));
    assertThat(m).doesNotContainKeys("status", "id", "from");
  }

  @Test
  void timesAreUnixSecondsWithAFractionOrRfc3339() {
    assertThat(EventRoutes.time("1700000000", "since")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(EventRoutes.time("1700000000.5", "since")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 500_000_000));
    assertThat(EventRoutes.time("2026-01-01T00:00:00Z", "until")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThatThrownBy(() -> EventRoutes.time("yesterday", "since")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("invalid since 'yesterday'");
  }

  @Test
  void thePathStatHeaderIsBase64JsonWithGoModeBits() throws Exception {
    PathStat stat = new PathStat("etc", 4096, (1L << 31) | 0755, Instant.parse("2026-01-02T03:04:05.5Z"), "");
    JsonNode n = Json.MAPPER.readTree(Base64.getDecoder().decode(ContainerFileRoutes.statHeader(stat)));
    assertThat(n.path("name").asText()).isEqualTo("etc");
    assertThat(n.path("size").asLong()).isEqualTo(4096);
    assertThat(n.path("mode").asLong()).isEqualTo(2147484141L);
    assertThat(n.path("mtime").asText()).isEqualTo("2026-01-02T03:04:05.500Z");
    assertThat(n.path("linkTarget").asText()).isEmpty();
  }
}
