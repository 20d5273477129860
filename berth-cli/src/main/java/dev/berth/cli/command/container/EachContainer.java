package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonException;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Docker's pattern for stop/kill/rm/...: act on each name, print it, report failures, exit 1 if any. */
final class EachContainer {
  @FunctionalInterface
  interface Action {
    void apply(String nameOrId) throws Exception;
  }

  private EachContainer() {}

  static int run(CommandSpec spec, List<String> names, Action action) throws Exception {
    int exit = 0;
    for (String name : names) {
      try {
        action.apply(name);
        ContainerCommands.out(spec).println(name);
      } catch (DaemonException e) {
        ContainerCommands.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    ContainerCommands.out(spec).flush();
    ContainerCommands.err(spec).flush();
    return exit;
  }
}
