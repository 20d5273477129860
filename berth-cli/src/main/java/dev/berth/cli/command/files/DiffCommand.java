package dev.berth.cli.command.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth diff}: what changed in a container's filesystem (A added, C changed, D deleted). */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Inspect changes to files or directories on a container's filesystem")
public final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    JsonNode changes = BerthCli.from(spec).client().json("GET",
        "/containers/" + URLEncoder.encode(container, StandardCharsets.UTF_8) + "/changes", null);
    PrintWriter out = spec.commandLine().getOut();
    for (JsonNode c : changes) {
      String kind = switch (c.path("Kind").asInt()) {
        case 0 -> "C";
        case 1 -> "A";
        case 2 -> "D";
        default -> "?";
      };
      out.println(kind + " " + c.path("Path").asText());
    }
    out.flush();
    return 0;
  }
}
