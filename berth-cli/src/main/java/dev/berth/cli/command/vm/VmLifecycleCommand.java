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

/** The one-verb commands: start, stop, kill, restart, pause, resume; each prints the VMs it acted on. */
abstract class VmLifecycleCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "VM", description = "VM names or IDs")
  List<String> refs;

  abstract String action();

  String query() {
    return "";
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = 0;
    for (String ref : refs) {
      try {
        vm.call("POST", VmCommand.vmPath(ref, action()) + query(), null);
        out.println(ref);
      } catch (dev.berth.cli.client.DaemonException e) {
        // As docker: report each failure, carry on with the others, exit 1 at the end.
        err.println("Error response from daemon: " + e.getMessage());
        status = 1;
      }
    }
    out.flush();
    err.flush();
    return status;
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start one or more VMs")
  static final class Start extends VmLifecycleCommand {
    String action() {
      return "start";
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop one or more VMs: ACPI power-off, then quit QEMU after the timeout, then SIGKILL")
  static final class Stop extends VmLifecycleCommand {
    @Option(names = {"-t", "--time"}, description = "Seconds to wait for the guest to power off (default: 10)")
    Integer time;

    String action() {
      return "stop";
    }

    String query() {
      return time == null ? "" : "?t=" + time;
    }
  }

  @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kill one or more running VMs (SIGKILL to QEMU)")
  static final class Kill extends VmLifecycleCommand {
    String action() {
      return "kill";
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart one or more VMs")
  static final class Restart extends VmLifecycleCommand {
    @Option(names = {"-t", "--time"}, description = "Seconds to wait for the guest to power off (default: 10)")
    Integer time;

    String action() {
      return "restart";
    }

    String query() {
      return time == null ? "" : "?t=" + time;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause all virtual CPUs of one or more VMs")
  static final class Pause extends VmLifecycleCommand {
    String action() {
      return "pause";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume one or more paused VMs")
  static final class Resume extends VmLifecycleCommand {
    String action() {
      return "resume";
    }
  }
}
