package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonClient;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth rename}. */
@Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a container")
public final class RenameCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Parameters(index = "1", paramLabel = "NEW_NAME") String newName;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ContainerCommands.client(spec).json("POST", ContainerCommands.path(container) + "/rename"
        + DaemonClient.query(Map.of("name", newName)), null);
    return 0;
  }
}
