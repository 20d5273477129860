package dev.berth.cli.command.volume;

import dev.berth.cli.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth volume ls}: docker's columns DRIVER and VOLUME NAME. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List volumes")
public final class VolumeLsCommand implements Callable<Integer> {
  @Option(names = {"-q", "--quiet"}, description = "Only display volume names")
  boolean quiet;

  @Option(names = {"-f", "--filter"}, paramLabel = "FILTER",
      description = "Filter output: dangling=true|false, driver=, label=KEY[=VALUE], name=")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "table (default), json, or a Go template ({{.Name}} {{.Driver}} {{.Mountpoint}} {{.Labels}} {{.Scope}})")
  String format;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    Map<String, List<String>> f = FilterFlags.parse(filters);
    JsonNode result = VolumeCommand.client(spec).json("GET", "/volumes" + VolumeCommand.filtersQuery(f), null);
    if (quiet) {
      result.path("Volumes").forEach(v -> VolumeCommand.out(spec).println(v.path("Name").asText()));
      VolumeCommand.out(spec).flush();
      return 0;
    }
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode v : result.path("Volumes")) {
      ObjectNode row = Json.object();
      row.put("Driver", v.path("Driver").asText());
      row.put("Name", v.path("Name").asText());
      row.put("Scope", v.path("Scope").asText());
      row.put("Mountpoint", v.path("Mountpoint").asText());
      List<String> labels = new ArrayList<>();
      v.path("Labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
      row.put("Labels", labels.stream().sorted().collect(Collectors.joining(",")));
      row.put("Links", "N/A");
      row.put("Size", "N/A");
      rows.add(row);
    }
    new Listing(List.of(new Listing.Column("DRIVER", "Driver"), new Listing.Column("VOLUME NAME", "Name")))
        .print(output, rows, VolumeCommand.out(spec));
    return 0;
  }
}
