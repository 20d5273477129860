package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.OutputFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth image inspect}: the daemon's JSON, or a template applied to each image. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Display detailed information on one or more images")
public final class InspectImageCommand implements Callable<Integer> {

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format the output using a Go template")
  String format;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> images;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    ArrayNode all = Json.array();
    int exit = 0;
    for (String image : images) {
      try {
        JsonNode node = ImageCommands.client(spec).json("GET", "/images/" + PushCommand.encode(image) + "/json", null);
        if (output instanceof OutputFormat.Template t) {
          ImageCommands.out(spec).println(t.template().execute(node));
        } else if (output instanceof OutputFormat.Json) {
          ImageCommands.out(spec).println(Json.write(node));
        } else {
          all.add(node);
        }
      } catch (DaemonException e) {
        ImageCommands.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    if (output instanceof OutputFormat.Default) {
      ImageCommands.out(spec).println(Json.pretty(all));
    }
    ImageCommands.out(spec).flush();
    ImageCommands.err(spec).flush();
    return exit;
  }
}
