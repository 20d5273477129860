package dev.berth.cli.command.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth bench show ID}: one stored report, as the table, JSON or its HTML page. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show a stored bench report")
final class BenchShowCommand implements Callable<Integer> {
  @ParentCommand
  BenchCommand bench;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "The report's ID (berth bench ls lists them)")
  String id;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json")
  String format;

  @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as one self-contained HTML page")
  Path html;

  @Override
  public Integer call() throws Exception {
    return BenchCommand.show(bench.root.client(), id, BenchOutput.json(format), html, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
