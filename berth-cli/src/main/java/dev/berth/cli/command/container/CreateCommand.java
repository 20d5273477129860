package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonException;
import dev.berth.cli.command.CodedOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code berth create}: a container, not started; prints its ID. */
public final class CreateCommand implements Callable<Integer> {
  final ContainerOptions options = new ContainerOptions();
  String image;
  final List<String> command = new ArrayList<>();
  final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("create");
  private final CodedOptions declared = new CodedOptions(spec);

  public CreateCommand() {
    spec.usageMessage().description("Create a new container");
    declared.usageHelp("--help");
    options.declareWithImage(declared, v -> image = v, command);
  }

  /** The command's model, for picocli (built in code, see CodedOptions). */
  public CommandSpec spec() {
    return spec;
  }

  @Override
  public Integer call() throws Exception {
    declared.read();
    try {
      ContainerCommands.out(spec).println(RunCommand.create(spec, options, image, command));
      ContainerCommands.out(spec).flush();
      return 0;
    } catch (DaemonException | IllegalArgumentException e) {
      ContainerCommands.err(spec).println("Error response from daemon: " + e.getMessage());
      ContainerCommands.err(spec).flush();
      return 125;
    }
  }
}
