package dev.berth.cli.command.container;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth container ...}: the container commands under one name, as {@code docker container}. */
@Command(name = "container", mixinStandardHelpOptions = true, description = "Manage containers")
public final class ContainerCommand implements Runnable {
  public static CommandLine tree() {
    CommandLine c = new CommandLine(new ContainerCommand());
    c.addSubcommand("ls", new CommandLine(new PsCommand()), "list", "ps");
    c.addSubcommand("run", new RunCommand().spec());
    c.addSubcommand("create", new CreateCommand().spec());
    c.addSubcommand("start", new StartCommand());
    c.addSubcommand("stop", new StopCommand());
    c.addSubcommand("kill", new KillCommand());
    c.addSubcommand("restart", new RestartCommand());
    c.addSubcommand("rm", new CommandLine(new RmCommand()), "remove");
    c.addSubcommand("rename", new RenameCommand());
    c.addSubcommand("update", new UpdateCommand());
    c.addSubcommand("wait", new WaitCommand());
    c.addSubcommand("logs", new LogsCommand());
    c.addSubcommand("attach", new AttachCommand());
    c.addSubcommand("exec", new ExecCommand());
    c.addSubcommand("inspect", InspectCommand.containersOnly());
    c.addSubcommand("top", new TopCommand());
    c.addSubcommand("pause", new PauseCommand());
    c.addSubcommand("unpause", new UnpauseCommand());
    c.addSubcommand("stats", new StatsCommand());
    c.addSubcommand("prune", new PruneContainersCommand());
    c.addSubcommand("port", new PortCommand());
    c.addSubcommand("cp", new dev.berth.cli.command.files.CpCommand());
    c.addSubcommand("export", new dev.berth.cli.command.files.ExportCommand());
    c.addSubcommand("diff", new dev.berth.cli.command.files.DiffCommand());
    c.addSubcommand("commit", new dev.berth.cli.command.files.CommitCommand());
    return c;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "'berth container' requires a subcommand: ls, run, create, start, stop, kill, restart, rm, rename, update, wait, logs,"
            + " attach, exec, inspect, top, pause, unpause, stats, prune, cp, export, diff, commit");
  }
}
