package dev.berth.cli.command.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth bench ls}: the stored bench reports, newest first. */
@Command(name = "ls", aliases = {"list"}, mixinStandardHelpOptions = true, description = "List stored bench reports")
final class BenchLsCommand implements Callable<Integer> {
  @ParentCommand
  BenchCommand bench;

  @Spec
  CommandSpec spec;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json")
  String format;

  @Override
  public Integer call() {
    boolean json = BenchOutput.json(format);
    JsonNode list = bench.root.client().getJsonUnversioned(BenchCommand.BENCH);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.pretty(list));
    } else {
      BenchOutput.list(list, out);
    }
    out.flush();
    return 0;
  }
}
