package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth rmi} / {@code berth image rm}. */
@Command(name = "rmi", mixinStandardHelpOptions = true,
    description = "Remove one or more images")
public final class RmiCommand implements Callable<Integer> {
  @Option(names = {"-f", "--force"}, description = "Force removal of the image")
  boolean force;

  @Option(names = "--no-prune", description = "Do not delete untagged parents (accepted for compatibility)")
  boolean noPrune;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> images;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    int exit = 0;
    for (String image : images) {
      try {
        JsonNode result = ImageCommands.client(spec).json("DELETE", "/images/" + PushCommand.encode(image)
            + DaemonClient.query(Map.of("force", force ? "1" : "0", "noprune", noPrune ? "1" : "0")), null);
        for (JsonNode entry : result) {
          entry.properties().forEach(e -> ImageCommands.out(spec).println(e.getKey() + ": " + e.getValue().asText()));
        }
      } catch (DaemonException e) {
        ImageCommands.err(spec).println("Error response from daemon: " + e.getMessage());
        exit = 1;
      }
    }
    ImageCommands.out(spec).flush();
    ImageCommands.err(spec).flush();
    return exit;
  }
}
