package dev.berth.cli.output;

/** How a command prints data: a human table/listing, or JSON for scripts. */
public enum OutputFormat {
  TABLE, JSON;

  /** Parses a {@code --format} value; empty or "table" is the human form. */
  public static OutputFormat parse(String value) {
    if (value == null || value.isEmpty() || value.equals("table")) {
      return TABLE;
    }
    if (value.equals("json") || value.equals("{{json .}}")) {
      return JSON;
    }
    throw new IllegalArgumentException("unsupported --format \"" + value + "\": use json or table");
  }
}
