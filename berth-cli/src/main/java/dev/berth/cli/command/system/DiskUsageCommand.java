package dev.berth.cli.command.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Durations;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth system df}: disk usage of images, containers, volumes and the build cache, as docker shows it. */
@Command(name = "df", mixinStandardHelpOptions = true, description = "Show Berth disk usage")
public final class DiskUsageCommand implements Callable<Integer> {

  @Option(names = {"-v", "--verbose"}, description = "Show detailed information on space usage") boolean verbose;
  @Option(names = "--format", description = "Format output using a custom template: 'table', 'json' or a Go template")
  String format;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    OutputFormat output = OutputFormat.parse(format);
    JsonNode df = BerthCli.from(spec).client().json("GET", "/system/df", null);
    PrintWriter out = spec.commandLine().getOut();
    if (verbose && output instanceof OutputFormat.Default) {
      verbose(df, out);
      return 0;
    }
    List<JsonNode> rows = List.of(imagesRow(df), containersRow(df), volumesRow(df), cacheRow(df));
    new Listing(List.of(new Listing.Column("TYPE", "Type"), new Listing.Column("TOTAL", "TotalCount"),
        new Listing.Column("ACTIVE", "Active"), new Listing.Column("SIZE", "Size"),
        new Listing.Column("RECLAIMABLE", "Reclaimable"))).print(output, rows, out);
    return 0;
  }

  private static ObjectNode row(String type, long total, long active, long size, long reclaimable, boolean percent) {
    ObjectNode n = Json.object();
    n.put("Type", type);
    n.put("TotalCount", Long.toString(total));
    n.put("Active", Long.toString(active));
    n.put("Size", humanSize(size));
    n.put("Reclaimable", percent && size > 0
        ? humanSize(reclaimable) + " (" + (reclaimable * 100 / size) + "%)" : humanSize(reclaimable));
    return n;
  }

  /** docker's images row: what no container uses beyond the layers it shares is reclaimable. */
  static ObjectNode imagesRow(JsonNode df) {
    long total = df.path("LayersSize").asLong();
    long used = 0;
    int active = 0;
    for (JsonNode i : df.path("Images")) {
      if (i.path("Containers").asLong() != 0) {
        active++;
        if (i.path("Size").asLong() != -1 && i.path("SharedSize").asLong() != -1) {
          used += i.path("Size").asLong() - i.path("SharedSize").asLong();
        }
      }
    }
    return row("Images", df.path("Images").size(), active, total, total - used, true);
  }

  static ObjectNode containersRow(JsonNode df) {
    long size = 0;
    long reclaimable = 0;
    int active = 0;
    for (JsonNode c : df.path("Containers")) {
      long rw = c.path("SizeRw").asLong();
      size += rw;
      String state = c.path("State").asText();
      if (state.contains("running") || state.contains("paused") || state.contains("restarting")) {
        active++;
      } else {
        reclaimable += rw;
      }
    }
    return row("Containers", df.path("Containers").size(), active, size, reclaimable, true);
  }

  static ObjectNode volumesRow(JsonNode df) {
    long size = 0;
    long reclaimable = 0;
    int active = 0;
    for (JsonNode v : df.path("Volumes")) {
      long s = Math.max(0, v.path("UsageData").path("Size").asLong());
      size += s;
      if (v.path("UsageData").path("RefCount").asLong() > 0) {
        active++;
      } else {
        reclaimable += s;
      }
    }
    return row("Local Volumes", df.path("Volumes").size(), active, size, reclaimable, true);
  }

  /** docker's build cache row: shared entries (a tagged image holds them) count for nothing. */
  static ObjectNode cacheRow(JsonNode df) {
    long size = 0;
    long inUse = 0;
    int active = 0;
    for (JsonNode c : df.path("BuildCache")) {
      boolean shared = c.path("Shared").asBoolean();
      if (!shared) {
        size += c.path("Size").asLong();
      }
      if (c.path("InUse").asBoolean()) {
        active++;
        if (!shared) {
          inUse += c.path("Size").asLong();
        }
      }
    }
    return row("Build Cache", df.path("BuildCache").size(), active, size, size - inUse, false);
  }

  private static void verbose(JsonNode df, PrintWriter out) {
    Instant now = Instant.now();
    out.println("Images space usage:");
    out.println();
    Table images = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
        "CONTAINERS");
    for (JsonNode i : df.path("Images")) {
      String id = i.path("Id").asText().replaceFirst("^sha256:", "");
      List<String> tags = new ArrayList<>();
      i.path("RepoTags").forEach(t -> tags.add(t.asText()));
      if (tags.isEmpty()) {
        tags.add("<none>:<none>");
      }
      for (String t : tags) {
        int colon = t.lastIndexOf(':');
        long size = i.path("Size").asLong();
        long shared = i.path("SharedSize").asLong();
        images.row(t.substring(0, colon), t.substring(colon + 1), id.substring(0, Math.min(12, id.length())),
            Durations.ago(Instant.ofEpochSecond(i.path("Created").asLong()), now), humanSize(size), humanSize(shared),
            humanSize(size - shared), Long.toString(i.path("Containers").asLong()));
      }
    }
    images.print(out);
    out.println();
    out.println("Containers space usage:");
    out.println();
    Table containers = new Table("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS",
        "NAMES");
    for (JsonNode c : df.path("Containers")) {
      String cmd = c.path("Command").asText();
      containers.row(c.path("Id").asText().substring(0, 12), c.path("Image").asText(),
          "\"" + (cmd.length() <= 20 ? cmd : cmd.substring(0, 19) + "…") + "\"", "0",
          humanSize(c.path("SizeRw").asLong()), Durations.ago(Instant.ofEpochSecond(c.path("Created").asLong()), now),
          c.path("Status").asText(), c.path("Names").path(0).asText().replaceFirst("^/", ""));
    }
    containers.print(out);
    out.println();
    out.println("Local Volumes space usage:");
    out.println();
    Table volumes = new Table("VOLUME NAME", "LINKS", "SIZE");
    for (JsonNode v : df.path("Volumes")) {
      volumes.row(v.path("Name").asText(), Long.toString(v.path("UsageData").path("RefCount").asLong()),
          humanSize(Math.max(0, v.path("UsageData").path("Size").asLong())));
    }
    volumes.print(out);
    out.println();
    out.println("Build cache usage: 0B");
    out.println();
    new Table("CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED").print(out);
    out.flush();
  }

  /** go-units' HumanSize: decimal units, 4 significant digits ("2.009MB", "9B"). */
  static String humanSize(long bytes) {
    return dev.berth.cli.output.Units.bytesDecimal(bytes, 4);
  }

}
