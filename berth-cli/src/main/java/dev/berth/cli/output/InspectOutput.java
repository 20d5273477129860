package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.json.Json;
import java.io.PrintWriter;

/**
 * What an inspect command prints, as docker does: each object through the {@code --format}
 * template, or as one JSON line with {@code json}; by default all of them as one indented JSON
 * array at the end ({@code []} when none was found).
 */
public final class InspectOutput {
  private final OutputFormat format;
  private final PrintWriter out;
  private final ArrayNode all = Json.array();

  public InspectOutput(OutputFormat format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  public void add(JsonNode node) {
    switch (format) {
      case OutputFormat.Template t -> out.println(t.template().execute(node));
      case OutputFormat.Json j -> out.println(Json.write(node));
      case OutputFormat.Default d -> all.add(node);
    }
  }

  /** Prints the collected array (by default) and flushes. */
  public void finish() {
    if (format instanceof OutputFormat.Default) {
      out.println(all.isEmpty() ? "[]" : Json.pretty(all));
    }
    out.flush();
  }
}
