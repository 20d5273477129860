package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.output.InspectOutput;
import dev.berth.cli.output.OutputFormat;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth inspect}: containers first, then images, as docker looks them up. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Return low-level information on Berth objects")
public final class InspectCommand implements Callable<Integer> {

  @Option(names = {"-f", "--format"}, description = "Format the output using a Go template") String format;
  @Option(names = "--type", description = "Only inspect objects of this type: container or image") String type;
  @Parameters(arity = "1..*", paramLabel = "NAME|ID") List<String> names;
  @Spec CommandSpec spec;

  /** Used by {@code container inspect}: containers only. */
  static InspectCommand containersOnly() {
    InspectCommand c = new InspectCommand();
    c.type = "container";
    return c;
  }

  @Override
  public Integer call() throws Exception {
    InspectOutput output = new InspectOutput(OutputFormat.parse(format), ContainerCommands.out(spec));
    int exit = 0;
    for (String name : names) {
      JsonNode node = null;
      if (type == null || type.equals("container")) {
        try {
          node = ContainerCommands.inspect(spec, name);
        } catch (DaemonException e) {
          if (e.status() != 404) {
            throw e;
          }
        }
      }
      if (node == null && (type == null || type.equals("image"))) {
        try {
          node = ContainerCommands.client(spec).json("GET", "/images/"
              + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("%2F", "/").replace("%3A", ":") + "/json", null);
        } catch (DaemonException e) {
          if (e.status() != 404) {
            throw e;
          }
        }
      }
      if (node == null) {
        ContainerCommands.err(spec).println("Error: No such object: " + name);
        exit = 1;
        continue;
      }
      output.add(node);
    }
    output.finish();
    ContainerCommands.err(spec).flush();
    return exit;
  }
}
