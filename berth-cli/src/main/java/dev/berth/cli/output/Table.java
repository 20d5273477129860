package dev.berth.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns padded to their widest cell and separated by three spaces, as docker's tabwriter
 * prints its tables. The last column is not padded.
 */
public final class Table {
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    rows.add(List.of(headers));
  }

  /** A table without a header row, for templates with tabs but no "table" prefix. */
  public static Table withoutHeader() {
    return new Table();
  }

  public Table row(String... cells) {
    rows.add(List.of(cells));
    return this;
  }

  public Table row(List<String> cells) {
    rows.add(List.copyOf(cells));
    return this;
  }

  public void print(PrintWriter out) {
    int columns = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      if (row.isEmpty()) {
        continue;
      }
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - cell.length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
