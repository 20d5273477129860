package dev.berth.cli.command.volume;

import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth volume ...}: create, ls, inspect, rm, prune, as {@code docker volume}. */
@Command(name = "volume", mixinStandardHelpOptions = true, description = "Manage volumes")
public final class VolumeCommand implements Runnable {

  public static CommandLine tree() {
    CommandLine v = new CommandLine(new VolumeCommand());
    v.addSubcommand("create", new VolumeCreateCommand());
    v.addSubcommand("ls", new CommandLine(new VolumeLsCommand()), "list");
    v.addSubcommand("inspect", new VolumeInspectCommand());
    v.addSubcommand("rm", new CommandLine(new VolumeRmCommand()), "remove");
    v.addSubcommand("prune", new VolumePruneCommand());
    return v;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "'berth volume' requires a subcommand: create, ls, inspect, rm, prune");
  }

  static DaemonClient client(CommandSpec spec) {
    return BerthCli.from(spec).client();
  }

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static PrintWriter err(CommandSpec spec) {
    return spec.commandLine().getErr();
  }

  static String path(String name) {
    return "/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  static String filtersQuery(Map<String, List<String>> filters) throws Exception {
    return DaemonClient.query(Map.of("filters", Json.write(filters)));
  }
}
