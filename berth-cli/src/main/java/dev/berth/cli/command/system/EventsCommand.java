package dev.berth.cli.command.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.command.container.TimeArgs;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.OutputFormat;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth events}: the daemon's events, live (and since a time), one line each. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Get real time events from the server")
public final class EventsCommand implements Callable<Integer> {
  private static final DateTimeFormatter RFC3339_NANO_FIXED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

  @Option(names = "--since", description = "Show all events created since timestamp (Unix, RFC 3339, or a duration such as 10m)")
  String since;
  @Option(names = "--until", description = "Stream events until this timestamp") String until;
  @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided: type=, event=, "
      + "container=, image=, label=, network=, volume=, daemon=") List<String> filters = new ArrayList<>();
  @Option(names = "--format", description = "Format output using a custom template: 'json' or a Go template")
  String format;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    Map<String, String> q = new LinkedHashMap<>();
    q.put("since", since == null ? null : TimeArgs.unix(since));
    q.put("until", until == null ? null : TimeArgs.unix(until));
    Map<String, List<String>> f = FilterFlags.parse(filters);
    q.put("filters", f.isEmpty() ? null : Json.write(f));
    PrintWriter out = spec.commandLine().getOut();
    try (DaemonClient.Response r = BerthCli.from(spec).client().callChecked("GET", "/events" + DaemonClient.query(q),
        Map.of(), new DaemonClient.Body.None())) {
      Iterator<JsonNode> it = Json.values(r.body());
      while (it.hasNext()) {
        JsonNode m = it.next();
        switch (output) {
          case OutputFormat.Default d -> out.println(pretty(m));
          case OutputFormat.Json j -> out.println(Json.write(m));
          case OutputFormat.Template t -> out.println(t.template().execute(goFields(m)));
        }
        out.flush();
      }
    }
    return 0;
  }

  /** docker's line: time, type, action, actor ID, then the attributes sorted by key. */
  static String pretty(JsonNode m) {
    long nanos = m.path("timeNano").asLong();
    Instant t = nanos != 0 ? Instant.ofEpochSecond(0, nanos) : Instant.ofEpochSecond(m.path("time").asLong());
    StringBuilder sb = new StringBuilder(RFC3339_NANO_FIXED.format(t.atZone(ZoneId.systemDefault())));
    sb.append(' ').append(m.path("Type").asText()).append(' ').append(m.path("Action").asText()).append(' ')
        .append(m.path("Actor").path("ID").asText());
    Map<String, String> attrs = new TreeMap<>();
    m.path("Actor").path("Attributes").properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
    if (!attrs.isEmpty()) {
      List<String> kv = new ArrayList<>();
      attrs.forEach((k, v) -> kv.add(k + "=" + v));
      sb.append(" (").append(String.join(", ", kv)).append(')');
    }
    return sb.toString();
  }

  /** The message under the Go field names templates use ({{.Status}}, {{.ID}}, {{.Actor.Attributes.name}}). */
  static JsonNode goFields(JsonNode m) {
    ObjectNode n = Json.object();
    n.put("Status", m.path("status").asText(""));
    n.put("ID", m.path("id").asText(""));
    n.put("From", m.path("from").asText(""));
    n.put("Type", m.path("Type").asText());
    n.put("Action", m.path("Action").asText());
    n.set("Actor", m.path("Actor"));
    n.put("Scope", m.path("scope").asText());
    n.put("Time", m.path("time").asLong());
    n.put("TimeNano", m.path("timeNano").asLong());
    return n;
  }
}
