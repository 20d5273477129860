package dev.berth.cli.command.container;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth pause}. */
@Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause all processes within one or more containers")
public final class PauseCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return EachContainer.run(spec, containers,
        c -> ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/pause", null));
  }
}
