package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Durations;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth history}: the layers an image was built from, newest first. */
@Command(name = "history", mixinStandardHelpOptions = true, description = "Show the history of an image")
public final class HistoryCommand implements Callable<Integer> {

  @Option(names = "--no-trunc", description = "Don't truncate output")
  boolean noTrunc;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
  boolean quiet;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default), json, or a Go template")
  String format;

  @Parameters(paramLabel = "IMAGE")
  String image;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    OutputFormat output = OutputFormat.parse(format);
    JsonNode history = ImageCommands.client(spec).json("GET", "/images/" + PushCommand.encode(image) + "/history", null);
    List<JsonNode> rows = new ArrayList<>();
    Instant now = Instant.now();
    for (JsonNode h : history) {
      String id = h.path("Id").asText();
      if (quiet) {
        ImageCommands.out(spec).println(id.startsWith("sha256:") && !noTrunc ? ImageCommands.shortId(id) : id);
        continue;
      }
      ObjectNode row = Json.object();
      row.put("ID", id.startsWith("sha256:") && !noTrunc ? ImageCommands.shortId(id) : id);
      row.put("CreatedSince", Durations.ago(Instant.ofEpochSecond(h.path("Created").asLong()), now));
      String by = h.path("CreatedBy").asText();
      row.put("CreatedBy", !noTrunc && by.length() > 45 ? by.substring(0, 44) + "…" : by);
      row.put("Size", ImageCommands.size(h.path("Size").asLong()));
      row.put("Comment", h.path("Comment").asText());
      rows.add(row);
    }
    if (!quiet) {
      new Listing(List.of(new Listing.Column("IMAGE", "ID"), new Listing.Column("CREATED", "CreatedSince"),
          new Listing.Column("CREATED BY", "CreatedBy"), new Listing.Column("SIZE", "Size"),
          new Listing.Column("COMMENT", "Comment"))).print(output, rows, ImageCommands.out(spec));
    }
    ImageCommands.out(spec).flush();
    return 0;
  }
}
