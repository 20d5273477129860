package dev.berth.cli.command.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Confirm;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth volume prune}: unused anonymous volumes, or with -a all unused ones (Docker ≥ 23). */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove unused local volumes")
public final class VolumePruneCommand implements Callable<Integer> {
  @Option(names = {"-a", "--all"}, description = "Remove all unused volumes, not just anonymous ones")
  boolean all;

  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
  boolean force;

  @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. label=<key>=<value>)")
  List<String> filters = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!force && !Confirm.proceed(VolumeCommand.out(spec), all
        ? "WARNING! This will remove all local volumes not used by at least one container.\n"
        : "WARNING! This will remove anonymous local volumes not used by at least one container.\n")) {
      return 0;
    }
    Map<String, List<String>> f = new LinkedHashMap<>(FilterFlags.parse(filters));
    if (all) {
      f.put("all", List.of("true"));
    }
    JsonNode result = VolumeCommand.client(spec).json("POST", "/volumes/prune" + VolumeCommand.filtersQuery(f), null);
    if (!result.path("VolumesDeleted").isEmpty()) {
      VolumeCommand.out(spec).println("Deleted Volumes:");
      result.path("VolumesDeleted").forEach(v -> VolumeCommand.out(spec).println(v.asText()));
      VolumeCommand.out(spec).println();
    }
    VolumeCommand.out(spec).println("Total reclaimed space: " + Units.bytesDecimal(result.path("SpaceReclaimed").asLong()));
    VolumeCommand.out(spec).flush();
    return 0;
  }
}
