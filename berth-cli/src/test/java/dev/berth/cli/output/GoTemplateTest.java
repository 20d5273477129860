package dev.berth.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
  private static JsonNode data(String json) throws Exception {
    return new ObjectMapper().readTree(json);
  }

  @Test
  void fieldsAndNestedFields() throws Exception {
    JsonNode d = data("{\"Server\":{\"Version\":\"1.0\"},\"Name\":\"x\",\"Size\":42,\"Ok\":true}");
    assertThat(GoTemplate.parse("{{.Server.Version}}").execute(d)).isEqualTo("1.0");
    assertThat(GoTemplate.parse("name={{ .Name }} size={{.Size}} ok={{.Ok}}").execute(d)).isEqualTo("name=x size=42 ok=true");
    assertThat(GoTemplate.parse("{{.Missing}}").execute(d)).isEqualTo("<no value>");
  }

  @Test
  void jsonIndexJoinAndPipes() throws Exception {
    JsonNode d = data("{\"Labels\":{\"a\":\"1\"},\"Tags\":[\"x\",\"y\"],\"Name\":\"web\"}");
    assertThat(GoTemplate.parse("{{json .Labels}}").execute(d)).isEqualTo("{\"a\":\"1\"}");
    assertThat(GoTemplate.parse("{{index .Labels \"a\"}}").execute(d)).isEqualTo("1");
    assertThat(GoTemplate.parse("{{join .Tags \",\"}}").execute(d)).isEqualTo("x,y");
    assertThat(GoTemplate.parse("{{.Name | upper}}").execute(d)).isEqualTo("WEB");
    assertThat(GoTemplate.parse("{{json .}}").execute(data("[1,2]"))).isEqualTo("[1,2]");
  }

  @Test
  void dockerEscapesAndTrimMarkers() throws Exception {
    JsonNode d = data("{\"A\":\"1\",\"B\":\"2\"}");
    assertThat(GoTemplate.parse("{{.A}}\\t{{.B}}").execute(d)).isEqualTo("1\t2");
    assertThat(GoTemplate.parse("{{.A}}  {{- .B}}").execute(d)).isEqualTo("12");
    assertThat(GoTemplate.parse("{{.A}} {{.B}}").topLevelFields()).containsExactly("A", "B");
  }

  @Test
  void errorsNameTheProblem() {
    assertThatThrownBy(() -> GoTemplate.parse("{{.A")).hasMessageContaining("unclosed action");
    assertThatThrownBy(() -> GoTemplate.parse("{{nosuch .A}}").execute(new ObjectMapper().createObjectNode()))
        .hasMessageContaining("function \"nosuch\" not defined");
  }
}
