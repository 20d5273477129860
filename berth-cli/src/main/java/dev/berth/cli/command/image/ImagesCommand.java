package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Durations;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth images} / {@code berth image ls}. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List images")
public final class ImagesCommand implements Callable<Integer> {

  @Option(names = {"-a", "--all"}, description = "Show all images (default hides intermediate images)")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
  boolean quiet;

  @Option(names = "--digests", description = "Show digests")
  boolean digests;

  @Option(names = "--no-trunc", description = "Don't truncate output")
  boolean noTrunc;

  @Option(names = {"-f", "--filter"}, paramLabel = "FILTER",
      description = "Filter output: reference=, dangling=true|false, label=KEY[=VALUE], before=, since=")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default), json, or a Go template")
  String format;

  @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "Only images matching this reference")
  String reference;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    Map<String, List<String>> f = FilterFlags.parse(filters);
    if (reference != null) {
      f.computeIfAbsent("reference", k -> new ArrayList<>()).add(reference);
    }
    String query = DaemonClient.query(Map.of("all", all ? "1" : "0", "filters", Json.write(f)));
    JsonNode images = ImageCommands.client(spec).json("GET", "/images/json" + query, null);
    if (quiet) {
      java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
      images.forEach(i -> ids.add(noTrunc ? i.path("Id").asText() : ImageCommands.shortId(i.path("Id").asText())));
      ids.forEach(ImageCommands.out(spec)::println);
      ImageCommands.out(spec).flush();
      return 0;
    }
    List<JsonNode> rows = new ArrayList<>();
    Instant now = Instant.now();
    for (JsonNode image : images) {
      List<String[]> names = new ArrayList<>();
      image.path("RepoTags").forEach(t -> names.add(Registries.repoAndTag(t.asText())));
      if (names.isEmpty()) {
        image.path("RepoDigests").forEach(d -> names.add(new String[] {Registries.repoAndTag(d.asText())[0], "<none>"}));
      }
      if (names.isEmpty()) {
        names.add(new String[] {"<none>", "<none>"});
      }
      for (String[] name : names) {
        ObjectNode row = Json.object();
        String id = image.path("Id").asText();
        row.put("Repository", name[0]);
        row.put("Tag", name[1]);
        row.put("Digest", digestFor(image, name[0]));
        row.put("ID", noTrunc ? id : ImageCommands.shortId(id));
        Instant created = Instant.ofEpochSecond(image.path("Created").asLong());
        row.put("CreatedSince", Durations.ago(created, now));
        row.put("CreatedAt", created.toString());
        row.put("Size", ImageCommands.size(image.path("Size").asLong()));
        row.put("Containers", image.path("Containers").asText());
        rows.add(row);
      }
    }
    List<Listing.Column> columns = new ArrayList<>(List.of(new Listing.Column("REPOSITORY", "Repository"),
        new Listing.Column("TAG", "Tag")));
    if (digests) {
      columns.add(new Listing.Column("DIGEST", "Digest"));
    }
    columns.addAll(List.of(new Listing.Column("IMAGE ID", "ID"), new Listing.Column("CREATED", "CreatedSince"),
        new Listing.Column("SIZE", "Size")));
    new Listing(columns).print(output, rows, ImageCommands.out(spec));
    return 0;
  }

  private static String digestFor(JsonNode image, String repository) {
    for (JsonNode d : image.path("RepoDigests")) {
      String[] parts = d.asText().split("@", 2);
      if (parts.length == 2 && parts[0].equals(repository)) {
        return parts[1];
      }
    }
    return "<none>";
  }
}
