package dev.berth.cli.command.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Confirm;
import dev.berth.cli.output.FilterFlags;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code berth system prune}: each kind's own prune endpoint in docker's order, with its
 * warning and its report; each kind is one {@link Step} in {@link #steps}.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove unused data")
public final class SystemPruneCommand implements Callable<Integer> {

  @Option(names = {"-a", "--all"}, description = "Remove all unused images not just dangling ones") boolean all;
  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
  @Option(names = "--volumes", description = "Prune anonymous volumes") boolean volumes;
  @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. \"label=<key>=<value>\")")
  List<String> filters = new ArrayList<>();
  @Spec CommandSpec spec;

  /**
   * One kind of object to prune: the warning line, the endpoint, and how its answer is reported
   * (the report's deleted list; the answer's SpaceReclaimed is added up for the total).
   */
  record Step(String warning, String path, boolean withDanglingFilter, BiConsumer<JsonNode, PrintWriter> report) {}

  List<Step> steps() {
    List<Step> s = new ArrayList<>();
    s.add(new Step("all stopped containers", "/containers/prune", false, (r, out) -> list(r, "ContainersDeleted",
        "Deleted Containers:", out)));
    s.add(new Step("all networks not used by at least one container", "/networks/prune", false,
        (r, out) -> list(r, "NetworksDeleted", "Deleted Networks:", out)));
    if (volumes) {
      s.add(new Step("all anonymous volumes not used by at least one container", "/volumes/prune", false,
          (r, out) -> list(r, "VolumesDeleted", "Deleted Volumes:", out)));
    }
    s.add(new Step(all ? "all images without at least one container associated to them" : "all dangling images",
        "/images/prune", true, SystemPruneCommand::images));
    s.add(new Step(all ? "all build cache" : "unused build cache", "/build/prune", false,
        (r, out) -> list(r, "CachesDeleted", "Deleted build cache objects:", out)));
    return s;
  }

  @Override
  public Integer call() throws Exception {
    List<Step> steps = steps();
    PrintWriter out = spec.commandLine().getOut();
    StringBuilder warning = new StringBuilder("WARNING! This will remove:\n");
    steps.forEach(s -> warning.append("  - ").append(s.warning()).append('\n'));
    if (!force && !Confirm.proceed(out, warning.append('\n').toString())) {
      return 0;
    }
    Map<String, List<String>> f = FilterFlags.parse(filters);
    DaemonClient client = BerthCli.from(spec).client();
    long reclaimed = 0;
    for (Step s : steps) {
      Map<String, List<String>> stepFilters = new LinkedHashMap<>(f);
      if (s.withDanglingFilter()) {
        stepFilters.put("dangling", List.of(all ? "false" : "true"));
      }
      Map<String, String> query = new LinkedHashMap<>();
      if (s.path().equals("/build/prune")) {
        stepFilters.keySet().retainAll(List.of("until")); // the build cache has no labels
        if (all) {
          query.put("all", "1");
        }
      }
      if (!stepFilters.isEmpty()) {
        query.put("filters", Json.write(stepFilters));
      }
      String q = DaemonClient.query(query);
      JsonNode r = client.json("POST", s.path() + q, null);
      s.report().accept(r, out);
      reclaimed += r.path("SpaceReclaimed").asLong();
    }
    out.println("Total reclaimed space: " + size(reclaimed));
    out.flush();
    return 0;
  }

  private static void list(JsonNode r, String field, String title, PrintWriter out) {
    if (r.path(field).isEmpty()) {
      return;
    }
    out.println(title);
    r.path(field).forEach(n -> out.println(n.asText()));
    out.println();
  }

  private static void images(JsonNode r, PrintWriter out) {
    if (r.path("ImagesDeleted").isEmpty()) {
      return;
    }
    out.println("Deleted Images:");
    for (JsonNode entry : r.path("ImagesDeleted")) {
      entry.properties().forEach(e -> out.println(e.getKey().toLowerCase() + ": " + e.getValue().asText()));
    }
    out.println();
  }

  /** docker's sizes here: 3 significant digits ("1.23MB"). */
  static String size(long bytes) {
    return dev.berth.cli.output.Units.bytesDecimal(bytes);
  }

}
