package dev.berth.cli.command.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The terminal forms of bench reports: the table with a verdict per row, the list. */
final class BenchOutput {
  private BenchOutput() {}

  static boolean json(String format) {
    if (format == null || format.isEmpty() || format.equals("table")) {
      return false;
    }
    if (format.equals("json")) {
      return true;
    }
    throw new IllegalArgumentException("--format must be table or json, not \"" + format + "\"");
  }

  /** The body of a successful answer; an error status becomes a {@link DaemonException} with the daemon's message. */
  static InputStream ok(DaemonClient.Response r) throws IOException {
    if (r.status() >= 200 && r.status() < 300) {
      return r.body();
    }
    byte[] bytes = r.bytes();
    String message = new String(bytes, StandardCharsets.UTF_8).strip();
    try {
      JsonNode node = Json.parse(bytes);
      if (node != null && node.hasNonNull("message")) {
        message = node.get("message").asText();
      }
    } catch (IOException notJson) {
      // the raw text is the message
    }
    throw new DaemonException(r.status(), message);
  }

  static void table(JsonNode report, PrintWriter out) {
    JsonNode host = report.path("Host");
    out.println("Bench " + report.path("Id").asText() + "  " + report.path("Created").asText() + "  "
        + num(report.path("DurationSeconds").asDouble()) + " s" + (report.path("Options").path("Quick").asBoolean()
            ? " (quick)" : "") + "  image " + report.path("Options").path("Image").asText() + "  host kernel "
        + host.path("Kernel").asText() + ", " + host.path("Cpus").asInt() + " CPUs, load "
        + num(host.path("LoadAverage").asDouble()));
    out.println();
    Table t = new Table("KIND", "STATUS", "START MEDIAN/P90", "EXIT MEDIAN", "MEMORY", "DENSITY", "CPU", "I/O",
        "SYSCALLS", "NET I↔I", "NET HOST→I", "KERNEL");
    for (JsonNode k : report.path("Kinds")) {
      JsonNode facts = k.path("Isolation");
      t.row(k.path("Kind").asText(), k.path("Status").asText(),
          fig(k, "start.firstOutput.median") + (has(k, "start.firstOutput.p90") ? "/" + fig(k, "start.firstOutput.p90") : ""),
          fig(k, "start.exit.median"), fig(k, "memory.pss"), fig(k, "density.instances"), fig(k, "cpu.hash.ratio"),
          fig(k, "io.writeRead.ratio"), fig(k, "cpu.syscalls.ratio"), fig(k, "net.instanceToInstance"),
          fig(k, "net.hostToInstance"), facts.isObject()
              ? (facts.path("OwnKernel").asBoolean() ? "own " : "host ") + facts.path("Kernel").asText() : "-");
    }
    t.print(out);
    out.println();
    for (JsonNode k : report.path("Kinds")) {
      out.println(k.path("Kind").asText() + ": " + k.path("Verdict").asText());
    }
    out.println();
    out.println("Methods: berth bench show " + report.path("Id").asText() + " --format json (each figure's Method),"
        + " or --html FILE.");
  }

  static void list(JsonNode summaries, PrintWriter out) {
    Table t = new Table("BENCH ID", "CREATED", "DURATION", "QUICK", "IMAGE", "MEASURED");
    for (JsonNode s : summaries) {
      List<String> measured = new ArrayList<>();
      s.path("Measured").forEach(m -> measured.add(m.asText()));
      t.row(s.path("Id").asText(), s.path("Created").asText(), num(s.path("DurationSeconds").asDouble()) + " s",
          s.path("Quick").asBoolean() ? "yes" : "no", s.path("Image").asText(),
          measured.isEmpty() ? "-" : String.join(", ", measured));
    }
    t.print(out);
  }

  private static boolean has(JsonNode kind, String key) {
    return figure(kind, key) != null;
  }

  private static JsonNode figure(JsonNode kind, String key) {
    for (JsonNode f : kind.path("Figures")) {
      if (f.path("Key").asText().equals(key)) {
        return f;
      }
    }
    return null;
  }

  /** A figure as value and unit, "-" when the row has none. */
  static String fig(JsonNode kind, String key) {
    JsonNode f = figure(kind, key);
    if (f == null) {
      return "-";
    }
    String unit = f.path("Unit").asText();
    double v = f.path("Value").asDouble();
    return switch (unit) {
      case "ms" -> v >= 1000 ? num(v / 1000) + " s" : num(v) + " ms";
      case "x" -> num(v) + "×";
      case "instances" -> Long.toString(Math.round(v));
      default -> num(v) + " " + unit;
    };
  }

  static String num(double d) {
    double a = Math.abs(d);
    return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", d);
  }
}
