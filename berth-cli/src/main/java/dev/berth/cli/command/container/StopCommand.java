package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth stop}. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop one or more running containers")
public final class StopCommand implements Callable<Integer> {
  @Option(names = {"-t", "--time"}, description = "Seconds to wait before killing the container") Integer time;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return EachContainer.run(spec, containers, c -> ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/stop" + (time == null ? "" : "?t=" + time), null));
  }
}
