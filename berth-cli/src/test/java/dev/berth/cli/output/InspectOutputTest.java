package dev.berth.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class InspectOutputTest {
  private static String print(String format, String... objects) throws Exception {
    StringWriter sw = new StringWriter();
    InspectOutput output = new InspectOutput(OutputFormat.parse(format), new PrintWriter(sw));
    for (String o : objects) {
      output.add(Json.parse(o));
    }
    output.finish();
    return sw.toString();
  }

  @Test
  void byDefaultAllObjectsAreOneIndentedArray() throws Exception {
    String out = print(null, "{\"Id\":\"a\"}", "{\"Id\":\"b\"}");
    assertThat(Json.parse(out).findValuesAsText("Id")).containsExactly("a", "b");
    assertThat(out).contains("\n  ");
  }

  @Test
  void nothingFoundPrintsAnEmptyArrayAsDockerDoes() throws Exception {
    assertThat(print(null)).isEqualTo("[]" + System.lineSeparator());
  }

  @Test
  void aTemplateOrJsonPrintsOneLinePerObject() throws Exception {
    assertThat(print("{{.Id}}", "{\"Id\":\"a\"}", "{\"Id\":\"b\"}")).isEqualTo("a" + System.lineSeparator() + "b"
        + System.lineSeparator());
    assertThat(print("json", "{\"Id\":\"a\"}")).isEqualTo("{\"Id\":\"a\"}" + System.lineSeparator());
  }
}
