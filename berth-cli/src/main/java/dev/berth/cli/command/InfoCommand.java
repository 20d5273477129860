package dev.berth.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Units;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code berth info}: system-wide information, laid out as {@code docker info}. */
@Command(name = "info", description = "Display system-wide information", mixinStandardHelpOptions = true)
public final class InfoCommand implements Callable<Integer> {
  @ParentCommand
  BerthCli root;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Output format: table (default), json, or a Go template such as '{{.ServerVersion}}'")
  String format;

  @Override
  public Integer call() throws Exception {
    OutputFormat output = OutputFormat.parse(format);
    JsonNode info = root.client().getJson("/info");
    PrintWriter out = spec.commandLine().getOut();
    if (Listing.printSingle(output, info, out)) {
      return 0;
    }
    out.println("Server:");
    out.println(" Containers: " + info.path("Containers").asInt());
    out.println("  Running: " + info.path("ContainersRunning").asInt());
    out.println("  Paused: " + info.path("ContainersPaused").asInt());
    out.println("  Stopped: " + info.path("ContainersStopped").asInt());
    out.println(" Images: " + info.path("Images").asInt());
    out.println(" Server Version: " + info.path("ServerVersion").asText());
    out.println(" Storage Driver: " + info.path("Driver").asText());
    out.println(" Logging Driver: " + info.path("LoggingDriver").asText());
    out.println(" Cgroup Driver: " + info.path("CgroupDriver").asText());
    out.println(" Cgroup Version: " + info.path("CgroupVersion").asText());
    out.print(" Runtimes:");
    info.path("Runtimes").fieldNames().forEachRemaining(name -> out.print(" " + name));
    out.println();
    out.println(" Default Runtime: " + info.path("DefaultRuntime").asText());
    out.println(" Kernel Version: " + info.path("KernelVersion").asText());
    out.println(" Operating System: " + info.path("OperatingSystem").asText());
    out.println(" OSType: " + info.path("OSType").asText());
    out.println(" Architecture: " + info.path("Architecture").asText());
    out.println(" CPUs: " + info.path("NCPU").asInt());
    out.println(" Total Memory: " + Units.bytesBinary(info.path("MemTotal").asLong()));
    out.println(" Name: " + info.path("Name").asText());
    out.println(" ID: " + info.path("ID").asText());
    out.println(" Berth Root Dir: " + info.path("DockerRootDir").asText());
    out.println(" Debug Mode: " + info.path("Debug").asBoolean());
    printMirrors(info.path("RegistryConfig"), out);
    if (!info.path("Labels").isEmpty()) {
      out.println(" Labels:");
      info.path("Labels").forEach(l -> out.println("  " + l.asText()));
    }
    for (JsonNode warning : info.path("Warnings")) {
      out.println("WARNING: " + warning.asText());
    }
    return 0;
  }

  /**
   * As the docker CLI: docker.io's mirrors under "Registry Mirrors:"; other registries' mirrors
   * (Berth's per-registry ones, from IndexConfigs) follow as "REGISTRY: URL".
   */
  private static void printMirrors(JsonNode registryConfig, PrintWriter out) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    registryConfig.path("Mirrors").forEach(m -> lines.add(m.asText()));
    registryConfig.path("IndexConfigs").fields().forEachRemaining(e -> {
      if (!e.getKey().equals("docker.io")) {
        e.getValue().path("Mirrors").forEach(m -> lines.add(e.getKey() + ": " + m.asText()));
      }
    });
    if (!lines.isEmpty()) {
      out.println(" Registry Mirrors:");
      lines.forEach(l -> out.println("  " + l));
    }
  }
}
