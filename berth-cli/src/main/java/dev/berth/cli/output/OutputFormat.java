package dev.berth.cli.output;

/** How a command prints data: docker's default table, JSON, or a Go template (maybe "table ..."). */
public sealed interface OutputFormat {
  /** The command's own human layout. */
  record Default() implements OutputFormat {}

  /** One JSON document (or one per line for lists). */
  record Json() implements OutputFormat {}

  /** A Go template; with {@code table} its rows are aligned under a header. */
  record Template(GoTemplate template, boolean table) implements OutputFormat {}

  /** Parses a {@code --format} value as docker does. */
  static OutputFormat parse(String value) {
    if (value == null || value.isBlank() || value.equals("table")) {
      return new Default();
    }
    if (value.equals("json") || value.strip().equals("{{json .}}")) {
      return new Json();
    }
    if (value.startsWith("table ")) {
      return new Template(GoTemplate.parse(value.substring("table ".length())), true);
    }
    if (!value.contains("{{")) {
      throw new IllegalArgumentException("unsupported --format \"" + value
          + "\": use table, json, or a Go template such as '{{.ID}}'");
    }
    return new Template(GoTemplate.parse(value), false);
  }
}
