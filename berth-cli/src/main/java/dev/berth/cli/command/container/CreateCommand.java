package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth create}: a container, not started; prints its ID. */
@Command(name = "create", description = "Create a new container")
public final class CreateCommand implements Callable<Integer> {
  @Option(names = "--help", usageHelp = true, description = "Show this help message and exit") boolean help;
  @Mixin ContainerOptions options;
  @Parameters(index = "0", paramLabel = "IMAGE") String image;
  @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*") List<String> command = new ArrayList<>();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
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
