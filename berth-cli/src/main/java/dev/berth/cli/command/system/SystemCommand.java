package dev.berth.cli.command.system;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth system ...}: df, prune and events, as {@code docker system}. */
@Command(name = "system", mixinStandardHelpOptions = true, description = "Manage Berth")
public final class SystemCommand implements Runnable {
  public static CommandLine tree() {
    CommandLine c = new CommandLine(new SystemCommand());
    c.addSubcommand("df", new DiskUsageCommand());
    c.addSubcommand("prune", new SystemPruneCommand());
    c.addSubcommand("events", new EventsCommand());
    return c;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "'berth system' requires a subcommand: df, prune, events");
  }
}
