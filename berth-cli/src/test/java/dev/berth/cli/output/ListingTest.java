package dev.berth.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListingTest {
  private final Listing listing = new Listing(List.of(
      new Listing.Column("REPOSITORY", "Repository"), new Listing.Column("TAG", "Tag"),
      new Listing.Column("IMAGE ID", "ID")));

  private String print(String format, String... rows) throws Exception {
    ObjectMapper m = new ObjectMapper();
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String r : rows) {
      nodes.add(m.readTree(r));
    }
    StringWriter sw = new StringWriter();
    listing.print(OutputFormat.parse(format), nodes, new PrintWriter(sw));
    return sw.toString();
  }

  @Test
  void defaultColumnsAlignLikeDocker() throws Exception {
    assertThat(print(null, "{\"Repository\":\"busybox\",\"Tag\":\"latest\",\"ID\":\"abc\"}",
        "{\"Repository\":\"localhost:5000/x\",\"Tag\":\"1\",\"ID\":\"def\"}"))
        .isEqualTo("""
            REPOSITORY         TAG      IMAGE ID
            busybox            latest   abc
            localhost:5000/x   1        def
            """);
  }

  @Test
  void tableTemplatesUseTheKnownHeaders() throws Exception {
    assertThat(print("table {{.ID}}\\t{{.Tag}}", "{\"Tag\":\"latest\",\"ID\":\"abc\"}"))
        .isEqualTo("IMAGE ID   TAG\nabc        latest\n");
  }

  @Test
  void plainTemplatesAndJsonLines() throws Exception {
    assertThat(print("{{.Repository}}:{{.Tag}}", "{\"Repository\":\"a\",\"Tag\":\"1\"}", "{\"Repository\":\"b\",\"Tag\":\"2\"}"))
        .isEqualTo("a:1\nb:2\n");
    assertThat(print("json", "{\"ID\":\"x\"}")).isEqualTo("{\"ID\":\"x\"}\n");
  }
}
