package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.engine.image.PullEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Docker's JSON progress messages ({@code {"status":…,"id":…,"progressDetail":…}} one per line).
 * The response starts with the first message, so a failure before any progress is still a
 * plain error status; a failure after it becomes an {@code errorDetail} message, as Docker does.
 */
final class ProgressStream implements AutoCloseable {
  private final ApiResponse response;
  private OutputStream out;

  ProgressStream(ApiResponse response) {
    this.response = response;
  }

  boolean started() {
    return out != null;
  }

  synchronized void event(PullEvent event) {
    ObjectNode msg = Json.MAPPER.createObjectNode();
    switch (event) {
      case PullEvent.Status s -> {
        msg.put("status", s.status());
        if (s.id() != null) {
          msg.put("id", s.id());
        }
      }
      case PullEvent.Layer l -> {
        msg.put("status", l.status());
        ObjectNode detail = msg.putObject("progressDetail");
        if (l.status().equals("Downloading") || l.status().equals("Extracting") || l.status().equals("Pushing")) {
          detail.put("current", l.current());
          detail.put("total", l.total());
          msg.put("progress", bar(l.current(), l.total()));
        }
        msg.put("id", l.layerId());
      }
    }
    write(msg);
  }

  /** Docker's "aux" message: machine-readable results, such as a push's digest. */
  synchronized void aux(java.util.Map<String, Object> values) {
    ObjectNode msg = Json.MAPPER.createObjectNode();
    msg.putObject("progressDetail");
    msg.set("aux", Json.MAPPER.valueToTree(values));
    write(msg);
  }

  synchronized void stream(String text) {
    ObjectNode msg = Json.MAPPER.createObjectNode();
    msg.put("stream", text);
    write(msg);
  }

  synchronized void error(String message) {
    ObjectNode msg = Json.MAPPER.createObjectNode();
    msg.putObject("errorDetail").put("message", message);
    msg.put("error", message);
    write(msg);
  }

  private void write(ObjectNode msg) {
    try {
      if (out == null) {
        out = response.stream(200, "application/json");
      }
      byte[] json = Json.MAPPER.writeValueAsBytes(msg);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n'; // one chunk per message, as dockerd writes them
      out.write(line);
    } catch (IOException e) {
      throw new UncheckedIOException("client went away: " + e.getMessage(), e);
    }
  }

  /** Docker's textual bar, "[=====>     ] 1.2MB/3.4MB". */
  static String bar(long current, long total) {
    int width = 50;
    int filled = total <= 0 ? 0 : (int) Math.min(width, current * width / total);
    String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
    return "[" + bar + "] " + size(current) + "/" + size(total);
  }

  private static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + "B" : String.format(java.util.Locale.ROOT, "%.3g%s", v, units[u]);
  }

  @Override
  public void close() throws IOException {
    if (out == null) {
      out = response.stream(200, "application/json");
    }
    out.close();
  }
}
