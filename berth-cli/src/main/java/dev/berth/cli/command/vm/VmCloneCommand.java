package dev.berth.cli.command.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth vm clone}: a new, created VM with a stopped VM's configuration and a copy of its disk. */
@Command(name = "clone", mixinStandardHelpOptions = true,
    description = "Create a new VM from a stopped VM's configuration and a copy of its disk",
    footer = {"", "Snapshots are copied with the disk. Published ports are not (two VMs cannot hold one",
        "host port): give the clone its own with -p."})
final class VmCloneCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "VM", description = "The VM to copy (name or ID); it must be stopped")
  String ref;

  @Parameters(index = "1", paramLabel = "NAME", description = "The new VM's name")
  String name;

  @Option(names = {"-p", "--publish"}, paramLabel = "HOSTPORT:GUESTPORT",
      description = "Forward 127.0.0.1:HOSTPORT to the clone's TCP GUESTPORT (repeatable)")
  List<String> ports = new ArrayList<>();

  @Override
  public Integer call() {
    ObjectNode body = Json.object();
    body.put("Name", name);
    body.set("Ports", Json.tree(ports));
    JsonNode answer = vm.call("POST", VmCommand.vmPath(ref, "clone"), body);
    spec.commandLine().getOut().println(answer.path("Id").asText());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
