package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints a list of rows (JSON objects whose fields are docker's formatter names, such as
 * Repository, Tag, ID) in any {@link OutputFormat}: the default columns, JSON lines, or a
 * template, where {@code table} templates get headers from {@code headers}.
 */
public final class Listing {

  /** A default column: its header and the row field it shows. */
  public record Column(String header, String field) {}

  private final List<Column> columns;
  private final Map<String, String> headers;

  public Listing(List<Column> columns) {
    this.columns = columns;
    Map<String, String> h = new java.util.HashMap<>();
    columns.forEach(c -> h.put(c.field(), c.header()));
    this.headers = h;
  }

  public void print(OutputFormat format, List<JsonNode> rows, PrintWriter out) {
    switch (format) {
      case OutputFormat.Default d -> {
        Table table = new Table(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode row : rows) {
          table.row(columns.stream().map(c -> row.path(c.field()).asText("")).toList());
        }
        table.print(out);
      }
      case OutputFormat.Json j -> rows.forEach(r -> out.println(json(r)));
      case OutputFormat.Template t when t.table() -> {
        List<String> headerCells = new ArrayList<>();
        for (String field : t.template().topLevelFields()) {
          headerCells.add(headers.getOrDefault(field, field.toUpperCase(java.util.Locale.ROOT)));
        }
        Table table = new Table(headerCells.toArray(String[]::new));
        rows.forEach(r -> table.row(List.of(t.template().execute(r).split("\t", -1))));
        table.print(out);
      }
      case OutputFormat.Template t -> rows.forEach(r -> out.println(t.template().execute(r)));
    }
    out.flush();
  }

  /** Prints one object in a non-default format; false means the caller prints its own layout. */
  public static boolean printSingle(OutputFormat format, JsonNode value, PrintWriter out) {
    switch (format) {
      case OutputFormat.Default d -> {
        return false;
      }
      case OutputFormat.Json j -> out.println(json(value));
      case OutputFormat.Template t -> out.println(t.template().execute(value));
    }
    out.flush();
    return true;
  }

  static String json(JsonNode node) {
    return Json.write(node);
  }
}
