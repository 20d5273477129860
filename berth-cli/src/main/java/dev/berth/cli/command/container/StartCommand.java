package dev.berth.cli.command.container;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth start}; with {@code -a} it attaches and exits with the container's code. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start one or more stopped containers")
public final class StartCommand implements Callable<Integer> {
  @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals") boolean attach;
  @Option(names = {"-i", "--interactive"}, description = "Attach container's STDIN") boolean interactive;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (attach || interactive) {
      if (containers.size() != 1) {
        throw new IllegalArgumentException("you cannot start and attach multiple containers at once");
      }
      var c = ContainerCommands.inspect(spec, containers.getFirst());
      return RunCommand.attachAndStart(spec, c.path("Id").asText(), c.path("Config").path("Tty").asBoolean(),
          interactive, c.path("HostConfig").path("AutoRemove").asBoolean());
    }
    return EachContainer.run(spec, containers,
        c -> ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/start", null));
  }
}
