package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth top}. */
@Command(name = "top", mixinStandardHelpOptions = true, description = "Display the running processes of a container")
public final class TopCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    JsonNode top = ContainerCommands.client(spec).json("GET", ContainerCommands.path(container) + "/top", null);
    List<String> titles = new ArrayList<>();
    top.path("Titles").forEach(t -> titles.add(t.asText()));
    Table table = new Table(titles.toArray(String[]::new));
    for (JsonNode p : top.path("Processes")) {
      List<String> row = new ArrayList<>();
      p.forEach(v -> row.add(v.asText()));
      table.row(row);
    }
    table.print(ContainerCommands.out(spec));
    ContainerCommands.out(spec).flush();
    return 0;
  }
}
