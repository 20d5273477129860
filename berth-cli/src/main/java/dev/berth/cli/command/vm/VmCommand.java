package dev.berth.cli.command.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code berth vm}: QEMU virtual machines, through berthd's {@code /berth/v1/vms} API. */
@Command(name = "vm", mixinStandardHelpOptions = true, description = "Manage virtual machines",
    subcommands = {VmCreateCommand.class, VmLifecycleCommand.Start.class, VmLifecycleCommand.Stop.class,
        VmLifecycleCommand.Kill.class, VmLifecycleCommand.Restart.class, VmLifecycleCommand.Pause.class,
        VmLifecycleCommand.Resume.class, VmRmCommand.class, VmLsCommand.class, VmInspectCommand.class,
        VmLogsCommand.class, VmConsoleCommand.class, VmSnapshotCommand.class, VmCloneCommand.class,
        VmCommitCommand.Commit.class, VmCommitCommand.Push.class},
    footer = {"", "Run 'berth vm COMMAND --help' for more information on a command."})
public final class VmCommand implements Runnable {
  static final String VMS = "/berth/v1/vms";

  @ParentCommand
  BerthCli root;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  DaemonClient client() {
    return root.client();
  }

  JsonNode call(String method, String path, Object body) {
    byte[] bytes = body == null ? null : Json.bytes(body);
    return client().callUnversioned(method, path, bytes);
  }

  /** The path of one VM's resource, its reference encoded as a path segment. */
  static String vmPath(String ref, String action) {
    String enc = URLEncoder.encode(ref, StandardCharsets.UTF_8).replace("+", "%20");
    return VMS + "/" + enc + (action == null ? "" : "/" + action);
  }
}
