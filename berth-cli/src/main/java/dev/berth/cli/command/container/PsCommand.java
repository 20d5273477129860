package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Durations;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth ps} / {@code berth container ls}. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List containers")
public final class PsCommand implements Callable<Integer> {

  @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)") boolean all;
  @Option(names = {"-q", "--quiet"}, description = "Only display container IDs") boolean quiet;
  @Option(names = {"-s", "--size"}, description = "Display total file sizes") boolean size;
  @Option(names = {"-n", "--last"}, description = "Show n last created containers (includes all states)", defaultValue = "-1") int last;
  @Option(names = {"-l", "--latest"}, description = "Show the latest created container (includes all states)") boolean latest;
  @Option(names = "--no-trunc", description = "Don't truncate output") boolean noTrunc;
  @Option(names = {"-f", "--filter"}, description = "Filter output: status=, name=, id=, label=, ancestor=, exited=") List<String> filters = new ArrayList<>();
  @Option(names = "--format", description = "table (default), json, or a Go template") String format;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    Map<String, List<String>> f = FilterFlags.parse(filters);
    int limit = latest ? 1 : last;
    Map<String, String> q = new LinkedHashMap<>();
    q.put("all", all ? "1" : "0");
    q.put("size", size ? "1" : "0");
    q.put("limit", limit > 0 ? Integer.toString(limit) : null);
    q.put("filters", Json.write(f));
    JsonNode list = ContainerCommands.client(spec).json("GET", "/containers/json" + DaemonClient.query(q), null);
    if (quiet) {
      list.forEach(c -> ContainerCommands.out(spec).println(id(c.path("Id").asText())));
      ContainerCommands.out(spec).flush();
      return 0;
    }
    Instant now = Instant.now();
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode c : list) {
      ObjectNode row = Json.object();
      row.put("ID", id(c.path("Id").asText()));
      row.put("Image", c.path("Image").asText());
      String cmd = c.path("Command").asText();
      row.put("Command", "\"" + (noTrunc || cmd.length() <= 20 ? cmd : cmd.substring(0, 19) + "…") + "\"");
      row.put("CreatedAt", Instant.ofEpochSecond(c.path("Created").asLong()).toString());
      row.put("RunningFor", Durations.ago(Instant.ofEpochSecond(c.path("Created").asLong()), now));
      row.put("Ports", NetworkOptions.portsCell(c.path("Ports")));
      row.put("State", c.path("State").asText());
      row.put("Status", c.path("Status").asText());
      row.put("Size", size ? c.path("SizeRw").asLong() + "B" : "");
      List<String> names = new ArrayList<>();
      c.path("Names").forEach(n -> names.add(n.asText().replaceFirst("^/", "")));
      row.put("Names", String.join(",", names));
      List<String> labels = new ArrayList<>();
      c.path("Labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
      row.put("Labels", String.join(",", labels));
      rows.add(row);
    }
    List<Listing.Column> columns = new ArrayList<>(List.of(new Listing.Column("CONTAINER ID", "ID"),
        new Listing.Column("IMAGE", "Image"), new Listing.Column("COMMAND", "Command"),
        new Listing.Column("CREATED", "RunningFor"), new Listing.Column("STATUS", "Status"),
        new Listing.Column("PORTS", "Ports"), new Listing.Column("NAMES", "Names")));
    if (size) {
      columns.add(new Listing.Column("SIZE", "Size"));
    }
    new Listing(columns).print(output, rows, ContainerCommands.out(spec));
    return 0;
  }

  private String id(String id) {
    return noTrunc ? id : ContainerCommands.shortId(id);
  }
}
