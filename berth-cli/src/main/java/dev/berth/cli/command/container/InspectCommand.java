package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
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
    OutputFormat output = OutputFormat.parse(format);
    ArrayNode all = Json.array();
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
      if (output instanceof OutputFormat.Template t) {
        ContainerCommands.out(spec).println(t.template().execute(node));
      } else if (output instanceof OutputFormat.Json) {
        ContainerCommands.out(spec).println(Json.write(node));
      } else {
        all.add(node);
      }
    }
    if (output instanceof OutputFormat.Default) {
      ContainerCommands.out(spec).println(all.isEmpty() ? "[]" : Json.pretty(all));
    }
    ContainerCommands.out(spec).flush();
    ContainerCommands.err(spec).flush();
    return exit;
  }
}
