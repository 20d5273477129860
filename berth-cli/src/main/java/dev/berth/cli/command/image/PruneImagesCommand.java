package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Confirm;
import dev.berth.cli.output.FilterFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth image prune}: remove dangling (or, with -a, all unused) images. */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove unused images")
public final class PruneImagesCommand implements Callable<Integer> {
  @Option(names = {"-a", "--all"}, description = "Remove all unused images, not just dangling ones")
  boolean all;

  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
  boolean force;

  @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. label=<key>=<value>)")
  List<String> filters = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!force && !Confirm.proceed(ImageCommands.out(spec), all
        ? "WARNING! This will remove all images without at least one container associated to them.\n"
        : "WARNING! This will remove all dangling images.\n")) {
      return 0;
    }
    Map<String, List<String>> f = new LinkedHashMap<>(FilterFlags.parse(filters));
    f.put("dangling", List.of(all ? "false" : "true"));
    JsonNode result = ImageCommands.client(spec).json("POST",
        "/images/prune" + DaemonClient.query(Map.of("filters", Json.write(f))), null);
    if (!result.path("ImagesDeleted").isEmpty()) {
      ImageCommands.out(spec).println("Deleted Images:");
      for (JsonNode entry : result.path("ImagesDeleted")) {
        entry.properties().forEach(e -> ImageCommands.out(spec).println(e.getKey().toLowerCase() + ": " + e.getValue().asText()));
      }
      ImageCommands.out(spec).println();
    }
    ImageCommands.out(spec).println("Total reclaimed space: " + ImageCommands.size(result.path("SpaceReclaimed").asLong()));
    ImageCommands.out(spec).flush();
    return 0;
  }
}
