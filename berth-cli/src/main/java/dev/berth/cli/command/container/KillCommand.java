package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth kill}. */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Kill one or more running containers")
public final class KillCommand implements Callable<Integer> {
  @Option(names = {"-s", "--signal"}, description = "Signal to send to the container", defaultValue = "KILL") String signal;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return EachContainer.run(spec, containers, c -> ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/kill?signal=" + signal, null));
  }
}
