package dev.berth.cli.command.vm;

import dev.berth.cli.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.output.OutputFormat;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth vm inspect}: a JSON array of VMs, as {@code docker inspect} prints, or a template per VM. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Display detailed information on VMs")
final class VmInspectCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
      description = "Format with a Go template, such as '{{.State}} {{.Accel}}', or json")
  String format;

  @Parameters(arity = "1..*", paramLabel = "VM", description = "VM names or IDs")
  List<String> refs;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ArrayNode all = Json.array();
    int status = 0;
    for (String ref : refs) {
      try {
        JsonNode v = vm.call("GET", VmCommand.vmPath(ref, null), null);
        switch (output) {
          case OutputFormat.Template t -> out.println(t.template().execute(v));
          default -> all.add(v);
        }
      } catch (dev.berth.cli.client.DaemonException e) {
        err.println("Error: " + e.getMessage());
        status = 1;
      }
    }
    if (!(output instanceof OutputFormat.Template)) {
      out.println(Json.pretty(all));
    }
    out.flush();
    err.flush();
    return status;
  }
}
