package dev.berth.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.CliVersion;
import dev.berth.cli.client.DaemonUnreachableException;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code berth version}: the client's and the daemon's versions, as {@code docker version}.
 * Declared in code, not by annotations (see {@link CodedOptions}): it is the command people time.
 */
public final class VersionCommand implements Callable<Integer> {
  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("version");
  private final CodedOptions declared = new CodedOptions(spec);
  private String format;

  public VersionCommand() {
    spec.usageMessage().description("Show the Berth version information");
    declared.usageHelp("-h", "--help");
    declared.value(String.class, "FORMAT",
        "Output format: table (default), json, or a Go template such as '{{.Server.Version}}'", v -> format = v,
        "-f", "--format");
  }

  /** The command's model, for picocli. */
  public CommandSpec spec() {
    return spec;
  }

  @Override
  public Integer call() throws Exception {
    declared.read();
    OutputFormat output = OutputFormat.parse(format);
    PrintWriter out = spec.commandLine().getOut();
    ObjectNode client = clientVersion();
    JsonNode server;
    try {
      server = BerthCli.from(spec).client().getJson("/version");
    } catch (DaemonUnreachableException e) {
      // As docker does: the client half is still worth showing.
      if (output instanceof OutputFormat.Default) {
        printClient(out, client);
        out.println();
      }
      out.flush();
      throw e;
    }
    ObjectNode both = Json.object();
    both.set("Client", client);
    both.set("Server", server);
    if (Listing.printSingle(output, both, out)) {
      return 0;
    }
    printClient(out, client);
    out.println();
    out.println("Server: " + server.path("Platform").path("Name").asText("Berth Engine"));
    for (JsonNode component : server.path("Components")) {
      JsonNode d = component.path("Details");
      out.println(" " + component.path("Name").asText() + ":");
      line(out, "  Version:", component.path("Version").asText());
      if (d.isEmpty()) {
        continue;
      }
      line(out, "  API version:", d.path("ApiVersion").asText() + " (minimum version " + d.path("MinAPIVersion").asText() + ")");
      line(out, "  Java version:", d.path("GoVersion").asText());
      line(out, "  Built:", d.path("BuildTime").asText());
      line(out, "  OS/Arch:", d.path("Os").asText() + "/" + d.path("Arch").asText());
      line(out, "  Kernel:", d.path("KernelVersion").asText());
    }
    return 0;
  }

  private static ObjectNode clientVersion() {
    ObjectNode c = Json.object();
    c.put("Version", CliVersion.version());
    c.put("ApiVersion", BerthCli.API_VERSION);
    c.put("JavaVersion", Runtime.version().toString());
    c.put("Os", "linux");
    c.put("Arch", goArch(System.getProperty("os.arch")));
    return c;
  }

  private static void printClient(PrintWriter out, JsonNode c) {
    out.println("Client:");
    line(out, " Version:", c.path("Version").asText());
    line(out, " API version:", c.path("ApiVersion").asText());
    line(out, " Java version:", c.path("JavaVersion").asText());
    line(out, " OS/Arch:", c.path("Os").asText() + "/" + c.path("Arch").asText());
  }

  private static void line(PrintWriter out, String label, String value) {
    out.printf("%-20s%s%n", label, value);
  }

  private static String goArch(String javaArch) {
    return switch (javaArch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> javaArch;
    };
  }
}
