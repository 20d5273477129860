package dev.berth.cli.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's JSON must read and print exactly what ObjectMapper did before it replaced it. */
class JsonTest {
  private static final String INSPECT = """
      {"Id":"abc","Created":"2026-11-28T04:00:00.123456789Z","State":{"Running":false,"Pid":0,"ExitCode":137,
       "OOMKilled":true,"Error":""},"Size":9223372036854775807,"Huge":123456789012345678901234567890,
       "Cpus":1.5,"Env":["A=1","B=caf\\u00e9 \\"q\\""],"Labels":{},"Mounts":[],"Network":null}""";

  @Test
  void parsesEveryKindOfValueAsObjectMapperDoes() throws IOException {
    JsonNode ours = Json.parse(INSPECT.getBytes(StandardCharsets.UTF_8));
    JsonNode theirs = new ObjectMapper().readTree(INSPECT);
    assertThat(ours).isEqualTo(theirs);
    assertThat(ours.path("Size").isLong()).isTrue();
    assertThat(ours.path("Huge").isBigInteger()).isTrue();
    assertThat(ours.path("State").path("ExitCode").intValue()).isEqualTo(137);
    assertThat(ours.path("Env").get(1).asText()).isEqualTo("B=café \"q\"");
    assertThat(ours.path("Network").isNull()).isTrue();
  }

  @Test
  void writesCompactAndPrettyExactlyAsObjectMapper() throws IOException {
    JsonNode node = Json.parse(INSPECT);
    ObjectMapper mapper = new ObjectMapper();
    assertThat(Json.write(node)).isEqualTo(mapper.writeValueAsString(node));
    assertThat(Json.pretty(node)).isEqualTo(mapper.copy().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(node));
    assertThat(new String(Json.bytes(node), StandardCharsets.UTF_8)).isEqualTo(Json.write(node));
  }

  @Test
  void writesMapsAndListsAsTheApiFiltersExpect() {
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("label", List.of("a=b", "c"));
    filters.put("dangling", List.of("true"));
    filters.put("limit", 3);
    filters.put("all", true);
    filters.put("none", null);
    assertThat(Json.write(filters))
        .isEqualTo("{\"label\":[\"a=b\",\"c\"],\"dangling\":[\"true\"],\"limit\":3,\"all\":true,\"none\":null}");
    assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyBodyIsMissingAndTrailingGarbageIsAnError() throws IOException {
    assertThat(Json.parse(new byte[0]).isMissingNode()).isTrue();
    assertThat(Json.parse("  ").isMissingNode()).isTrue();
    assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(IOException.class);
  }

  @Test
  void readsAStreamOfMessagesOneByOneAndLeavesTheStreamOpen() throws IOException {
    byte[] body = "{\"status\":\"Pulling\"}\r\n{\"status\":\"Done\",\"id\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(body) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    List<String> statuses = new ArrayList<>();
    for (Iterator<JsonNode> it = Json.values(in); it.hasNext(); ) {
      statuses.add(it.next().path("status").asText());
    }
    assertThat(statuses).containsExactly("Pulling", "Done");
    assertThat(Json.values(new ByteArrayInputStream(new byte[0])).hasNext()).isFalse();
    assertThat(Json.values(new ByteArrayInputStream("\n".getBytes(StandardCharsets.UTF_8))).hasNext()).isFalse();
    assertThat(closed[0]).isFalse();
    InputStream single = new ByteArrayInputStream("[1,2]".getBytes(StandardCharsets.UTF_8));
    assertThat(Json.parse(single).size()).isEqualTo(2);
  }
}
