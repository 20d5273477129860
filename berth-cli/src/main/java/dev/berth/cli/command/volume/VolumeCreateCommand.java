package dev.berth.cli.command.volume;

import dev.berth.cli.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth volume create [OPTIONS] [VOLUME]}: prints the volume's name. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume")
public final class VolumeCreateCommand implements Callable<Integer> {
  @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Specify volume driver name (default: local)")
  String driver = "local";

  @Option(names = "--label", paramLabel = "KEY[=VALUE]", description = "Set metadata for a volume")
  List<String> labels = new ArrayList<>();

  @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "Set driver specific options")
  List<String> opts = new ArrayList<>();

  @Option(names = "--name", hidden = true, description = "Specify volume name")
  String nameFlag;

  @Parameters(arity = "0..1", paramLabel = "VOLUME", description = "The volume's name (default: a generated one)")
  String name;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (name != null && nameFlag != null && !name.equals(nameFlag)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "conflicting options: either specify --name or provide positional arg, not both");
    }
    ObjectNode body = Json.object();
    body.put("Name", name != null ? name : nameFlag == null ? "" : nameFlag);
    body.put("Driver", driver);
    ObjectNode o = body.putObject("DriverOpts");
    for (String opt : opts) {
      int eq = opt.indexOf('=');
      if (eq < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "invalid argument \"" + opt + "\" for \"-o, --opt\" flag: expected KEY=VALUE");
      }
      o.put(opt.substring(0, eq), opt.substring(eq + 1));
    }
    ObjectNode l = body.putObject("Labels");
    for (String label : labels) {
      int eq = label.indexOf('=');
      l.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
    }
    JsonNode v = VolumeCommand.client(spec).json("POST", "/volumes/create", body);
    VolumeCommand.out(spec).println(v.path("Name").asText());
    VolumeCommand.out(spec).flush();
    return 0;
  }
}
