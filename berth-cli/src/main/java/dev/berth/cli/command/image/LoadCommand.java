package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth load}: images from a tar archive made by save (docker's or Berth's). */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load an image from a tar archive or STDIN")
public final class LoadCommand implements Callable<Integer> {
  @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Read from tar archive file, instead of STDIN")
  Path input;

  @Option(names = {"-q", "--quiet"}, description = "Suppress the load output")
  boolean quiet;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (input == null && ImageCommands.terminal()) {
      throw new IllegalArgumentException("requested load from stdin, but stdin is empty; use -i FILE or redirect");
    }
    if (input != null && !Files.isReadable(input)) {
      throw new IllegalArgumentException("cannot read " + input + ": no such file or not readable");
    }
    try (InputStream in = input == null ? System.in : Files.newInputStream(input);
        DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST",
            "/images/load" + DaemonClient.query(Map.of("quiet", quiet ? "1" : "0")), Map.of(),
            new DaemonClient.Body.Stream("application/x-tar", in))) {
      ImageCommands.render(spec, r, false);
    }
    return 0;
  }
}
