package dev.berth.cli.command.image;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth image ...}: the image commands under one name, as {@code docker image}. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage images")
public final class ImageCommand implements Runnable {
  /** Adds the subcommands under docker's names for them ({@code image ls}, {@code image rm}). */
  public static CommandLine tree() {
    CommandLine image = new CommandLine(new ImageCommand());
    image.addSubcommand("ls", new CommandLine(new ImagesCommand()), "list");
    image.addSubcommand("pull", new PullCommand().spec());
    image.addSubcommand("push", new PushCommand());
    image.addSubcommand("tag", new TagCommand());
    image.addSubcommand("rm", new CommandLine(new RmiCommand()), "remove");
    image.addSubcommand("inspect", new InspectImageCommand());
    image.addSubcommand("history", new HistoryCommand());
    image.addSubcommand("prune", new PruneImagesCommand());
    image.addSubcommand("save", new SaveCommand());
    image.addSubcommand("load", new LoadCommand());
    image.addSubcommand("import", new ImportCommand());
    image.addSubcommand("build", new BuildCommand());
    return image;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "'berth image' requires a subcommand: ls, pull, push, tag, rm, inspect, history, prune, save, load, import, build");
  }
}
