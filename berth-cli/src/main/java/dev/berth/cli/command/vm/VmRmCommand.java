package dev.berth.cli.command.vm;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code berth vm rm}: removes VMs and the files Berth made for them (never a user's --disk image). */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more VMs")
final class VmRmCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Kill a running VM before removing it")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "VM", description = "VM names or IDs")
  List<String> refs;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = 0;
    for (String ref : refs) {
      try {
        vm.call("DELETE", VmCommand.vmPath(ref, null) + (force ? "?force=1" : ""), null);
        out.println(ref);
      } catch (dev.berth.cli.client.DaemonException e) {
        err.println("Error response from daemon: " + e.getMessage());
        status = 1;
      }
    }
    out.flush();
    err.flush();
    return status;
  }
}
