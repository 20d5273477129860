package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Confirm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth container prune}. */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove all stopped containers")
public final class PruneContainersCommand implements Callable<Integer> {

  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
  @Option(names = "--filter", description = "Provide filter values (e.g. label=<key>=<value>, until=<timestamp>)") List<String> filters = new ArrayList<>();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!force && !Confirm.proceed(ContainerCommands.out(spec), "WARNING! This will remove all stopped containers.\n")) {
      return 0;
    }
    Map<String, List<String>> f = new LinkedHashMap<>();
    for (String filter : filters) {
      int eq = filter.indexOf('=');
      f.computeIfAbsent(filter.substring(0, Math.max(eq, 0)), k -> new ArrayList<>()).add(filter.substring(eq + 1));
    }
    JsonNode r = ContainerCommands.client(spec).json("POST", "/containers/prune"
        + DaemonClient.query(Map.of("filters", Json.write(f))), null);
    if (r.path("ContainersDeleted").size() > 0) {
      ContainerCommands.out(spec).println("Deleted Containers:");
      r.path("ContainersDeleted").forEach(id -> ContainerCommands.out(spec).println(id.asText()));
      ContainerCommands.out(spec).println();
    }
    ContainerCommands.out(spec).println("Total reclaimed space: 0B");
    ContainerCommands.out(spec).flush();
    return 0;
  }
}
