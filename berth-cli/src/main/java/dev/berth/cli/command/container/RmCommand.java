package dev.berth.cli.command.container;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth rm}. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more containers")
public final class RmCommand implements Callable<Integer> {
  @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)") boolean force;
  @Option(names = {"-v", "--volumes"}, description = "Remove anonymous volumes associated with the container") boolean volumes;
  @Option(names = {"-l", "--link"}, description = "Remove the specified link (/PARENT/ALIAS)") boolean link;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (link) { // each argument names a link: /PARENT/ALIAS (the slashes stay in the path, as docker sends them)
      return EachContainer.run(spec, containers, c -> ContainerCommands.client(spec).json("DELETE",
          "/containers/" + (c.startsWith("/") ? c : "/" + c) + "?link=1", null));
    }
    return EachContainer.run(spec, containers, c -> ContainerCommands.client(spec).json("DELETE",
        ContainerCommands.path(c) + "?force=" + force + "&v=" + volumes, null));
  }
}
