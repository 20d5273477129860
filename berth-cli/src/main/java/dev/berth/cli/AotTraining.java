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
    // A build context: config steps, a WORKDIR and a COPY of many small files, built cold,
    // then unchanged (every step from the cache), then with a RUN (which fails: no shell in
    // the image, after creating and starting its container). bin/build records the daemon's AOT
    // cache during this run too, so all three paths of POST /build are in it.
    Path context = Files.createTempDirectory("berth-aot-build-");
    Files.createDirectories(context.resolve("src"));
    for (int i = 0; i < 200; i++) {
      Files.writeString(context.resolve("src/f" + i + ".txt"), "file " + i + "\n");
    }
    Files.writeString(context.resolve("Dockerfile"), """
        FROM aot-training
        LABEL org.example.app=training
        ENV MODE=prod
        WORKDIR /app
        COPY src/ /app/src/
        EXPOSE 8080
        CMD ["cat", "/app/count"]
        """);
    Path runContext = Files.createTempDirectory("berth-aot-run-");
    Files.writeString(runContext.resolve("Dockerfile"), "FROM aot-training\nRUN true\n");
    String[][] commands = {
        {"-H", host, "import", emptyTar.toString(), "aot-training:latest"},
        {"-H", host, "run", "--rm", "--network", "none", "aot-training", "true"},
        {"-H", host, "run", "--rm", "aot-training", "true"},
        {"-H", host, "create", "--name", "aot-training", "aot-training", "true"},
        {"-H", host, "ps", "-a"},
        {"-H", host, "logs", "aot-training"},
        {"-H", host, "inspect", "aot-training"},
        {"-H", host, "rm", "-f", "aot-training"},
        {"-H", host, "build", "-q", "--no-cache", "-t", "aot-training-build", context.toString()},
        {"-H", host, "build", "-q", "-t", "aot-training-build", context.toString()},
        {"-H", host, "build", "-t", "aot-training-build", context.toString()},
        {"-H", host, "build", "--network", "none", runContext.toString()},
        {"-H", host, "rmi", "aot-training-build"},
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
      try (var walk = Files.walk(context)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(runContext.resolve("Dockerfile"));
      Files.deleteIfExists(runContext);
    }
  }
}
