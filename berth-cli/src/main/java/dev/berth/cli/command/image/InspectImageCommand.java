package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonException;
import dev.berth.cli.output.InspectOutput;
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
    InspectOutput output = new InspectOutput(OutputFormat.parse(format), ImageCommands.out(spec));
    int exit = 0;
    for (String image : images) {
      try {
        output.add(ImageCommands.client(spec).json("GET", "/images/" + PushCommand.encode(image) + "/json", null));
      } catch (DaemonException e) {
        ImageCommands.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    output.finish();
    ImageCommands.err(spec).flush();
    return exit;
  }
}
