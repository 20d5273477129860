package dev.berth.cli.command.vm;

import dev.berth.cli.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.command.image.PullCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth vm create}: records a VM (and makes its disks); prints its ID. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a virtual machine")
final class VmCreateCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Spec
  CommandSpec spec;

  @Option(names = "--name", description = "Name of the VM (default: vm-<short id>)")
  String name;

  @Option(names = "--cpus", description = "Virtual CPUs (default: 1)")
  Integer cpus;

  @Option(names = {"-m", "--memory"}, description = "Memory, e.g. 256m or 1g (default: 512m)")
  String memory;

  @Option(names = "--disk", paramLabel = "PATH|SIZE",
      description = "An existing disk image used in place, or a SIZE (e.g. 10g) for a new empty qcow2 disk")
  String disk;

  @Option(names = "--from-disk", paramLabel = "BASE",
      description = "Boot from a copy-on-write qcow2 overlay of BASE; BASE is never written")
  String fromDisk;

  @Option(names = "--image", paramLabel = "IMAGE",
      description = "Boot from a copy-on-write overlay of the disk under /disk/ in IMAGE (KubeVirt's containerDisk; "
          + "pulled when missing)")
  String image;

  @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel for direct boot (uses the microvm machine)")
  String kernel;

  @Option(names = "--initrd", paramLabel = "PATH", description = "Initial ramdisk for direct boot")
  String initrd;

  @Option(names = "--append", paramLabel = "CMDLINE",
      description = "Kernel command line (console=ttyS0 is added unless given)")
  String append;

  @Option(names = "--cloud-init", paramLabel = "USER-DATA",
      description = "A cloud-init user-data file, given to the guest on a NoCloud seed disk")
  String cloudInit;

  @Option(names = "--accel", paramLabel = "auto|kvm|tcg",
      description = "Accelerator: kvm, tcg (emulation), or auto: kvm when /dev/kvm is usable (default)")
  String accel;

  @Option(names = "--network", paramLabel = "NETWORK",
      description = "Attach to a Berth network (repeatable): a tap on its bridge, an address by DHCP and the VM's "
          + "name in its DNS. Default: QEMU's user-mode network")
  List<String> networks = new ArrayList<>();

  @Option(names = {"-p", "--publish"}, paramLabel = "HOSTPORT:GUESTPORT",
      description = "Forward 127.0.0.1:HOSTPORT to the guest's TCP GUESTPORT (repeatable)")
  List<String> ports = new ArrayList<>();

  @Override
  public Integer call() throws java.io.IOException {
    ObjectNode body = Json.object();
    body.put("Name", name);
    if (cpus != null) {
      body.put("Cpus", cpus);
    }
    body.put("Memory", memory);
    body.put("Disk", diskArgument(disk));
    body.put("FromDisk", absolute(fromDisk));
    body.put("Kernel", absolute(kernel));
    body.put("Initrd", absolute(initrd));
    body.put("Append", append);
    body.put("CloudInit", absolute(cloudInit));
    body.put("Accel", accel);
    body.set("Ports", Json.tree(ports));
    body.put("Image", image);
    body.set("Networks", Json.tree(networks));
    JsonNode answer;
    try {
      answer = vm.call("POST", VmCommand.VMS + "/create", body);
    } catch (DaemonException e) {
      if (image == null || e.status() != 404 || !e.getMessage().startsWith("No such image")) {
        throw e;
      }
      spec.commandLine().getErr().println("Unable to find image '" + image + "' locally");
      spec.commandLine().getErr().flush();
      PullCommand.pullFor(spec, image);
      answer = vm.call("POST", VmCommand.VMS + "/create", body);
    }
    spec.commandLine().getOut().println(answer.path("Id").asText());
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Paths are resolved here: the daemon's working directory is not the user's. */
  private static String absolute(String path) {
    return path == null ? null : Path.of(path).toAbsolutePath().normalize().toString();
  }

  /** A --disk SIZE (10g) is passed as it is, unless a file of that name exists here. */
  private static String diskArgument(String value) {
    if (value == null) {
      return null;
    }
    boolean size = value.matches("(?i)\\d+(\\.\\d+)?\\s*[kmgt]?(i?b)?") && !Path.of(value).toFile().exists();
    return size ? value : absolute(value);
  }
}
