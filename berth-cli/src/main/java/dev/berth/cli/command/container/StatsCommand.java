package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth stats}: a live table of resource usage. With {@code --no-stream} one reading
 * (the daemon samples twice, a second apart, for CPU %); otherwise the table is redrawn every
 * second from one-shot readings, CPU % taken against the previous round's reading.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = "Display a live stream of container(s) resource usage statistics")
public final class StatsCommand implements Callable<Integer> {
  static final List<Listing.Column> COLUMNS = List.of(new Listing.Column("CONTAINER ID", "ID"),
      new Listing.Column("NAME", "Name"), new Listing.Column("CPU %", "CPUPerc"),
      new Listing.Column("MEM USAGE / LIMIT", "MemUsage"), new Listing.Column("MEM %", "MemPerc"),
      new Listing.Column("NET I/O", "NetIO"), new Listing.Column("BLOCK I/O", "BlockIO"),
      new Listing.Column("PIDS", "PIDs"));

  @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)") boolean all;
  @Option(names = "--no-stream", description = "Disable streaming stats and only pull the first result") boolean noStream;
  @Option(names = "--no-trunc", description = "Do not truncate output") boolean noTrunc;
  @Option(names = "--format", description = "table (default), json, or a Go template") String format;
  @Parameters(arity = "0..*", paramLabel = "CONTAINER") List<String> containers = new ArrayList<>();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    DaemonClient client = ContainerCommands.client(spec);
    PrintWriter out = ContainerCommands.out(spec);
    Listing listing = new Listing(COLUMNS);
    if (noStream) {
      List<String> ids = targets(client);
      List<JsonNode> rows = new ArrayList<>();
      int exit = 0;
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        // Each reading takes the daemon a second (two samples): read all containers at once.
        List<Future<JsonNode>> readings = new ArrayList<>();
        for (String id : ids) {
          readings.add(pool.submit(() -> client.json("GET", ContainerCommands.path(id) + "/stats?stream=false", null)));
        }
        for (Future<JsonNode> f : readings) {
          try {
            rows.add(StatsRow.of(f.get()).fields(noTrunc));
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof DaemonException d)) {
              throw e;
            }
            ContainerCommands.err(spec).println("Error response from daemon: " + d.getMessage());
            exit = 1;
          }
        }
      }
      listing.print(output, rows, out);
      ContainerCommands.err(spec).flush();
      return exit;
    }
    Map<String, JsonNode> previous = new HashMap<>();
    while (true) {
      List<JsonNode> rows = new ArrayList<>();
      Map<String, JsonNode> current = new HashMap<>();
      for (String id : targets(client)) {
        JsonNode s;
        try {
          s = client.json("GET", ContainerCommands.path(id) + "/stats?stream=false&one-shot=true", null);
        } catch (DaemonException gone) {
          continue; // removed meanwhile
        }
        current.put(id, s.path("cpu_stats"));
        rows.add(StatsRow.of(s, previous.getOrDefault(id, s.path("precpu_stats"))).fields(noTrunc));
      }
      previous = current;
      out.print("\033[2J\033[H"); // clear the screen and home the cursor, as docker does
      listing.print(output, rows, out);
      Thread.sleep(1000); // docker's refresh interval
    }
  }

  /** The named containers, or every running one (every one with -a). */
  private List<String> targets(DaemonClient client) {
    if (!containers.isEmpty()) {
      return containers;
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode c : client.json("GET", "/containers/json?all=" + (all ? "1" : "0"), null)) {
      ids.add(c.path("Id").asText());
    }
    return ids;
  }
}
