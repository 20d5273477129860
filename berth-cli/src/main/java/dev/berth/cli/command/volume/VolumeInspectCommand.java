package dev.berth.cli.command.volume;

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

/** {@code berth volume inspect}: the daemon's JSON, or a template applied to each volume. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Display detailed information on one or more volumes")
public final class VolumeInspectCommand implements Callable<Integer> {

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format the output using a Go template")
  String format;

  @Parameters(arity = "1..*", paramLabel = "VOLUME")
  List<String> volumes;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    InspectOutput output = new InspectOutput(OutputFormat.parse(format), VolumeCommand.out(spec));
    int exit = 0;
    for (String name : volumes) {
      try {
        output.add(VolumeCommand.client(spec).json("GET", VolumeCommand.path(name), null));
      } catch (DaemonException e) {
        VolumeCommand.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    output.finish();
    VolumeCommand.err(spec).flush();
    return exit;
  }
}
