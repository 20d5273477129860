package dev.berth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run for the CLI's AOT cache (bin/build): runs the common commands once against a
 * throwaway daemon, in one JVM, so the cache holds the classes of all of them, not only one.
 * Not a user command.
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    String host = args[0];
    BerthCli.startWarmUp(); // as main does, so the cache holds what starting it takes
    // An image with an empty root filesystem: `run` goes through create, attach, wait and start
    // (which fails: no `true` to execute) as a real run does.
    Path emptyTar = Files.createTempFile("berth-aot-", ".tar");
    Files.write(emptyTar, new byte[10240]);
    String[][] commands = {
        {"-H", host, "import", emptyTar.toString(), "aot-training:latest"},
        {"-H", host, "run", "--rm", "--network", "none", "aot-training", "true"},
        {"-H", host, "run", "--rm", "aot-training", "true"},
        {"-H", host, "create", "--name", "aot-training", "aot-training", "true"},
        {"-H", host, "ps", "-a"},
        {"-H", host, "logs", "aot-training"},
        {"-H", host, "inspect", "aot-training"},
        {"-H", host, "rm", "-f", "aot-training"},
        {"-H", host, "rmi", "aot-training"},
        // Loopback port 1: nothing listens, so the pull fails at once, off the machine never.
        {"-H", host, "pull", "127.0.0.1:1/aot-training"},
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
    try {
      for (String[] command : commands) {
        StringWriter sink = new StringWriter();
        BerthCli.run(command, new PrintWriter(sink), new PrintWriter(sink));
      }
    } finally {
      Files.deleteIfExists(emptyTar);
    }
  }
}
