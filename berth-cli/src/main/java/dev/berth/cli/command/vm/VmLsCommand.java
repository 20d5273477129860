package dev.berth.cli.command.vm;

import dev.berth.cli.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Units;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth vm ls}: every VM, whatever its state. */
@Command(name = "ls", aliases = {"list", "ps"}, mixinStandardHelpOptions = true, description = "List virtual machines")
final class VmLsCommand implements Callable<Integer> {
  private static final Listing LISTING = new Listing(List.of(
      new Listing.Column("VM ID", "ID"),
      new Listing.Column("NAME", "Name"),
      new Listing.Column("STATE", "State"),
      new Listing.Column("ACCEL", "Accel"),
      new Listing.Column("CPUS", "Cpus"),
      new Listing.Column("MEMORY", "Memory"),
      new Listing.Column("PORTS", "Ports")));

  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Option(names = {"-q", "--quiet"}, description = "Only display VM IDs")
  boolean quiet;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "Output format: table (default), json, or a Go template such as '{{.Name}} {{.State}}'")
  String format;

  @Override
  public Integer call() {
    OutputFormat output = OutputFormat.parse(format);
    JsonNode vms = vm.call("GET", VmCommand.VMS, null);
    PrintWriter out = spec.commandLine().getOut();
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode v : vms) {
      if (quiet) {
        out.println(v.path("Id").asText().substring(0, 12));
        continue;
      }
      ObjectNode row = Json.object();
      row.put("ID", v.path("Id").asText().substring(0, 12));
      row.put("Name", v.path("Name").asText());
      row.put("State", v.path("State").asText());
      row.put("Accel", v.path("Accel").asText("-"));
      row.put("Cpus", v.path("Config").path("Cpus").asText());
      row.put("Memory", Units.bytesBinary(v.path("Config").path("Memory").asLong()));
      List<String> ports = new ArrayList<>();
      v.path("Ports").forEach(p -> ports.add(p.asText()));
      row.put("Ports", String.join(", ", ports));
      rows.add(row);
    }
    if (!quiet) {
      LISTING.print(output, rows, out);
    }
    out.flush();
    return 0;
  }
}
