package dev.berth.cli.command.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Units;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code berth vm snapshot}: internal snapshots of a VM's own qcow2 disk — with the guest's
 * memory while it runs, the disk alone while it is stopped.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Manage a VM's snapshots",
    subcommands = {VmSnapshotCommand.Create.class, VmSnapshotCommand.Ls.class, VmSnapshotCommand.Restore.class,
        VmSnapshotCommand.Rm.class},
    footer = {"", "A snapshot taken while the VM runs holds its memory too: restoring it brings the running",
        "guest back. One taken while it is stopped holds the disk alone; restore it while the VM is stopped."})
public final class VmSnapshotCommand implements Runnable {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static String snapshotPath(String vmRef, String name, String action) {
    String enc = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return VmCommand.vmPath(vmRef, "snapshots") + "/" + enc + (action == null ? "" : "/" + action);
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Take a snapshot of a VM")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    VmSnapshotCommand parent;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or ID")
    String ref;

    @Parameters(index = "1", paramLabel = "NAME", description = "Snapshot name ([a-zA-Z0-9_.-], not only digits)")
    String name;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("Name", name);
      parent.vm.call("POST", VmCommand.vmPath(ref, "snapshots"), body);
      parent.spec.commandLine().getOut().println(name);
      parent.spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List a VM's snapshots")
  static final class Ls implements Callable<Integer> {
    private static final Listing LISTING = new Listing(List.of(
        new Listing.Column("NAME", "Name"),
        new Listing.Column("CREATED", "Created"),
        new Listing.Column("MEMORY", "Memory"),
        new Listing.Column("VM CLOCK", "VmClock")));

    @ParentCommand
    VmSnapshotCommand parent;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or ID")
    String ref;

    @Option(names = {"-q", "--quiet"}, description = "Only display snapshot names")
    boolean quiet;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "Output format: table (default), json, or a Go template such as '{{.Name}}'")
    String format;

    @Override
    public Integer call() {
      OutputFormat output = OutputFormat.parse(format);
      JsonNode snapshots = parent.vm.call("GET", VmCommand.vmPath(ref, "snapshots"), null);
      PrintWriter out = parent.spec.commandLine().getOut();
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode s : snapshots) {
        if (quiet) {
          out.println(s.path("Name").asText());
          continue;
        }
        ObjectNode row = Json.object();
        row.put("Name", s.path("Name").asText());
        row.put("Created", s.path("Created").asText());
        long memory = s.path("MemoryBytes").asLong();
        row.put("Memory", memory == 0 ? "- (disk only)" : Units.bytesBinary(memory));
        row.put("VmClock", String.format("%.1fs", s.path("VmClockSeconds").asDouble()));
        rows.add(row);
      }
      if (!quiet) {
        LISTING.print(output, rows, out);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true, description = "Bring a VM back to a snapshot")
  static final class Restore implements Callable<Integer> {
    @ParentCommand
    VmSnapshotCommand parent;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or ID")
    String ref;

    @Parameters(index = "1", paramLabel = "NAME", description = "Snapshot name")
    String name;

    @Override
    public Integer call() {
      parent.vm.call("POST", snapshotPath(ref, name, "restore"), null);
      parent.spec.commandLine().getOut().println(name);
      parent.spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove snapshots of a VM")
  static final class Rm implements Callable<Integer> {
    @ParentCommand
    VmSnapshotCommand parent;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or ID")
    String ref;

    @Parameters(index = "1", arity = "1..*", paramLabel = "NAME", description = "Snapshot names")
    List<String> names;

    @Override
    public Integer call() {
      PrintWriter out = parent.spec.commandLine().getOut();
      PrintWriter err = parent.spec.commandLine().getErr();
      int status = 0;
      for (String name : names) {
        try {
          parent.vm.call("DELETE", snapshotPath(ref, name, null), null);
          out.println(name);
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
}
