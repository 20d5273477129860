package dev.berth.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The training run for the CLI's AOT cache (bin/build): runs the common commands once against a
 * throwaway daemon, in one JVM, so the cache holds the classes of all of them, not only one.
 * Not a user command.
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) {
    String host = args[0];
    String[][] commands = {
        {"-H", host, "version"},
        {"-H", host, "info"},
        {"-H", host, "images"},
        {"-H", host, "images", "--format", "{{.Repository}}:{{.Tag}}"},
        {"-H", host, "image", "inspect", "no-such-image"},
        {"-H", host, "history", "no-such-image"},
        {"-H", host, "rmi", "no-such-image"},
        {"-H", host, "vm", "ls"},
        {"--help"},
        {"--version"},
    };
    for (String[] command : commands) {
      StringWriter sink = new StringWriter();
      BerthCli.run(command, new PrintWriter(sink), new PrintWriter(sink));
    }
  }
}
