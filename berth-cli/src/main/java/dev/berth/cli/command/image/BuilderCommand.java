package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.command.container.ContainerOptions;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Confirm;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.Units;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth builder ...}: the build cache, as {@code docker builder}. */
@Command(name = "builder", mixinStandardHelpOptions = true, description = "Manage builds")
public final class BuilderCommand implements Runnable {
  public static CommandLine tree() {
    CommandLine builder = new CommandLine(new BuilderCommand());
    builder.addSubcommand("build", new BuildCommand());
    builder.addSubcommand("prune", new Prune());
    return builder;
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "'berth builder' requires a subcommand: build, prune");
  }

  /** {@code berth builder prune}: docker's words and report. */
  @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove build cache")
  public static final class Prune implements Callable<Integer> {
    @Option(names = {"-a", "--all"}, description = "Remove all unused build cache, not just dangling ones") boolean all;
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
    @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. \"until=24h\")")
    List<String> filters = new ArrayList<>();
    @Option(names = "--keep-storage", paramLabel = "BYTES", description = "Amount of disk space to keep for cache")
    String keepStorage;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      String warning = all ? "WARNING! This will remove all build cache. "
          : "WARNING! This will remove all dangling build cache. ";
      if (!force && !Confirm.proceed(out, warning)) {
        return 0;
      }
      Map<String, String> q = new LinkedHashMap<>();
      if (all) {
        q.put("all", "1");
      }
      if (keepStorage != null) {
        q.put("keep-storage", Long.toString(ContainerOptions.bytes("--keep-storage", keepStorage)));
      }
      Map<String, List<String>> f = FilterFlags.parse(filters);
      if (!f.isEmpty()) {
        q.put("filters", Json.write(f));
      }
      JsonNode r = ImageCommands.client(spec).json("POST", "/build/prune" + DaemonClient.query(q), null);
      JsonNode deleted = r.path("CachesDeleted");
      if (deleted.isArray() && !deleted.isEmpty()) {
        out.println("Deleted build cache objects:");
        deleted.forEach(id -> out.println(id.asText()));
        out.println();
      }
      out.println("Total reclaimed space: " + Units.bytesDecimal(r.path("SpaceReclaimed").asLong()));
      out.flush();
      return 0;
    }
  }
}
