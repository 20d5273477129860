package dev.berth.cli.command.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.command.image.PushCommand;
import dev.berth.cli.command.image.Registries;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code berth vm commit} and {@code berth vm push}: a stopped VM's disk as an image (one qcow2
 * under /disk/, KubeVirt's containerDisk), which {@code berth vm create --image} boots.
 */
final class VmCommitCommand {
  private VmCommitCommand() {}

  static String commit(VmCommand vm, String ref, String name) {
    Map<String, String> query = new LinkedHashMap<>();
    if (name != null) {
      String[] repoTag = Registries.repoAndTag(name);
      query.put("repo", repoTag[0]);
      query.put("tag", repoTag[1]);
    }
    JsonNode answer = vm.call("POST", VmCommand.vmPath(ref, "commit") + DaemonClient.query(query), null);
    return answer.path("Id").asText();
  }

  @Command(name = "commit", mixinStandardHelpOptions = true,
      description = "Create an image from a stopped VM's disk (a qcow2 under /disk/, as KubeVirt's containerDisk)",
      footer = {"", "The disk is flattened (its base merged in) and its snapshots are left out."})
  static final class Commit implements Callable<Integer> {
    @ParentCommand
    VmCommand vm;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VM", description = "The VM (name or ID); it must be stopped")
    String ref;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "Name for the image")
    String name;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(commit(vm, ref, name));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Commit a stopped VM's disk as an image and push it to its registry")
  static final class Push implements Callable<Integer> {
    @ParentCommand
    VmCommand vm;

    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "VM", description = "The VM (name or ID); it must be stopped")
    String ref;

    @Parameters(index = "1", paramLabel = "NAME[:TAG]", description = "The image to make and push")
    String name;

    @Override
    public Integer call() throws Exception {
      commit(vm, ref, name);
      PushCommand.push(spec, name, false, quiet);
      return 0;
    }
  }
}
