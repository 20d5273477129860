package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Shows Docker's JSON progress messages (pull, push, load, import). On a terminal each layer
 * keeps one line that is redrawn in place, as docker does; otherwise each change of a layer's
 * status is printed once, without progress bars, so logs stay readable.
 */
public final class JsonMessages {

  /** What the stream ended with: an error message, or none; and the "aux" results. */
  public record Outcome(String error, List<JsonNode> aux, List<String> statuses) {
    public boolean failed() {
      return error != null;
    }
  }

  private final PrintWriter out;
  private final boolean terminal;
  private final boolean quiet;
  private final List<String> lineIds = new ArrayList<>();
  private final Map<String, String> lastStatus = new HashMap<>();

  public JsonMessages(PrintWriter out, boolean terminal, boolean quiet) {
    this.out = out;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  public Outcome render(InputStream body) throws IOException {
    String error = null;
    List<JsonNode> aux = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    Iterator<JsonNode> it = Json.values(body);
    while (it.hasNext()) {
      JsonNode msg = it.next();
      if (msg.hasNonNull("error")) {
        error = msg.path("errorDetail").path("message").asText(msg.path("error").asText());
        break;
      }
      if (msg.has("aux")) {
        aux.add(msg.get("aux"));
        continue;
      }
      if (msg.hasNonNull("stream")) {
        if (!quiet) {
          out.print(msg.get("stream").asText());
          out.flush();
        }
        continue;
      }
      String status = msg.path("status").asText("");
      statuses.add(status);
      if (!quiet) {
        show(msg.path("id").asText(""), status, msg.path("progress").asText(""));
      }
    }
    out.flush();
    return new Outcome(error, aux, statuses);
  }

  private void show(String id, String status, String progress) {
    if (id.isEmpty()) {
      out.println(status);
      return;
    }
    String text = id + ": " + status + (terminal && !progress.isEmpty() ? " " + progress : "");
    if (!terminal) {
      if (!status.equals(lastStatus.put(id, status))) {
        out.println(id + ": " + status);
      }
      return;
    }
    int index = lineIds.indexOf(id);
    if (index < 0) {
      lineIds.add(id);
      out.println(text);
    } else {
      int up = lineIds.size() - index;
      // Move up to the layer's line, clear it, write, and come back down.
      out.print("\u001b[" + up + "A\u001b[2K\r" + text + "\u001b[" + up + "B\r");
    }
    out.flush();
  }
}
