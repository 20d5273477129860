package dev.berth.cli.command.volume;

import dev.berth.cli.client.DaemonException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth volume rm}: a volume in use stays, and the daemon's answer names the containers. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more volumes. You cannot remove a"
    + " volume that is in use by a container.")
public final class VolumeRmCommand implements Callable<Integer> {
  @Option(names = {"-f", "--force"}, description = "Force the removal of one or more volumes (no error if missing)")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "VOLUME")
  List<String> volumes;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int exit = 0;
    for (String name : volumes) {
      try {
        VolumeCommand.client(spec).json("DELETE", VolumeCommand.path(name) + "?force=" + force, null);
        VolumeCommand.out(spec).println(name);
      } catch (DaemonException e) {
        VolumeCommand.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    VolumeCommand.out(spec).flush();
    VolumeCommand.err(spec).flush();
    return exit;
  }
}
