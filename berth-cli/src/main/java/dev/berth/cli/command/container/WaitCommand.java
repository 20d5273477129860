package dev.berth.cli.command.container;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth wait}: blocks until each container stops, printing its exit code. */
@Command(name = "wait", mixinStandardHelpOptions = true, description = "Block until one or more containers stop, then print their exit codes")
public final class WaitCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int exit = 0;
    for (String c : containers) {
      try {
        var r = ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/wait", null);
        ContainerCommands.out(spec).println(r.path("StatusCode").asInt());
      } catch (dev.berth.cli.client.DaemonException e) {
        ContainerCommands.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    ContainerCommands.out(spec).flush();
    ContainerCommands.err(spec).flush();
    return exit;
  }
}
