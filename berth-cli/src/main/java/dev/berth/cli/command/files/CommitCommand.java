package dev.berth.cli.command.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth commit}: a new image from a container's changes. */
@Command(name = "commit", mixinStandardHelpOptions = true,
    description = "Create a new image from a container's changes",
    customSynopsis = "berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]")
public final class CommitCommand implements Callable<Integer> {
  @Option(names = {"-a", "--author"}, description = "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")")
  String author = "";
  @Option(names = {"-c", "--change"}, description = "Apply Dockerfile instruction to the created image")
  List<String> changes = new ArrayList<>();
  @Option(names = {"-m", "--message"}, description = "Commit message") String message = "";
  @Option(names = {"-p", "--pause"}, arity = "0..1", defaultValue = "true", fallbackValue = "true",
      description = "Pause container during commit (default true); --pause=false commits a running container as it"
          + " runs") boolean pause;
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String reference;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String repo = null;
    String tag = null;
    if (reference != null && !reference.isEmpty()) {
      int slash = reference.lastIndexOf('/');
      int colon = reference.lastIndexOf(':');
      if (colon > slash) {
        repo = reference.substring(0, colon);
        tag = reference.substring(colon + 1);
      } else {
        repo = reference;
      }
    }
    StringBuilder q = new StringBuilder(DaemonClient.query(new java.util.LinkedHashMap<>(java.util.Map.of(
        "container", container, "comment", message, "author", author, "pause", Boolean.toString(pause)))));
    if (repo != null) {
      q.append("&repo=").append(enc(repo));
    }
    if (tag != null) {
      q.append("&tag=").append(enc(tag));
    }
    changes.forEach(c -> q.append("&changes=").append(enc(c)));
    JsonNode r = BerthCli.from(spec).client().json("POST", "/commit" + q, java.util.Map.of());
    spec.commandLine().getOut().println(r.path("Id").asText());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
