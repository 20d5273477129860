package dev.berth.cli.command.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code berth bench}: has berthd measure containers, microVM containers, a full VM and the peer
 * engines on this machine ({@code POST /berth/v1/bench}), showing its progress, then prints the
 * stored report as a table (or JSON) and writes its HTML page.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure containers against VMs on this machine",
    subcommands = {BenchLsCommand.class, BenchShowCommand.class},
    footer = {"", "Every figure carries its method: see them with --format json or --html FILE.",
        "Run 'berth bench COMMAND --help' for more information on a command."})
public final class BenchCommand implements Callable<Integer> {
  static final String BENCH = "/berth/v1/bench";

  @ParentCommand
  BerthCli root;

  @Spec
  CommandSpec spec;

  @Option(names = "--quick", description = "Small budgets: about a minute")
  boolean quick;

  @Option(names = "--runs", paramLabel = "N", description = "Timed start runs per kind (default: 20, 5 with --quick;"
      + " microVMs fewer)")
  Integer runs;

  @Option(names = "--image", paramLabel = "REF", description = "Image to run (default busybox:latest; it needs busybox)")
  String image;

  @Option(names = "--vm-image", paramLabel = "PATH", description = "Disk image for the full-VM row (skipped without)")
  Path vmImage;

  @Option(names = "--docker-host", paramLabel = "ADDR", description = "dockerd to measure beside Berth"
      + " (unix:///path; skipped without)")
  String dockerHost;

  @Option(names = "--kinds", paramLabel = "LIST", split = ",",
      description = "Kinds to measure: container, microvm, vm, docker, podman (default: all)")
  java.util.List<String> kinds;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json")
  String format;

  @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as one self-contained HTML page")
  Path html;

  @Override
  public Integer call() throws Exception {
    boolean json = BenchOutput.json(format);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> query = new LinkedHashMap<>();
    if (quick) {
      query.put("quick", "1");
    }
    if (runs != null) {
      query.put("runs", runs.toString());
    }
    query.put("image", image);
    query.put("vm-image", vmImage == null ? null : vmImage.toAbsolutePath().toString());
    query.put("docker-host", dockerHost);
    query.put("kinds", kinds == null ? null : String.join(",", kinds));
    DaemonClient client = root.client();
    String id = null;
    Progress progress = new Progress(err, System.console() != null && System.console().isTerminal());
    try (DaemonClient.Response r = client.request("POST", BENCH + DaemonClient.query(query), null)) {
      Iterator<JsonNode> lines = Json.values(BenchOutput.ok(r));
      while (lines.hasNext()) {
        JsonNode line = lines.next();
        if (line.has("Error")) {
          progress.end();
          err.println("Error: " + line.get("Error").asText());
          err.flush();
          return 1;
        }
        if (line.has("Id")) {
          id = line.get("Id").asText();
        } else {
          progress.show(line.path("Step").asInt(), line.path("Total").asInt(), line.path("Kind").asText(),
              line.path("Message").asText());
        }
      }
    }
    progress.end();
    if (id == null) {
      err.println("Error: the daemon ended the bench without a result (see its log)");
      err.flush();
      return 1;
    }
    return show(client, id, json, html, out, err);
  }

  /** Prints report {@code id} as a table or JSON and writes its HTML page when asked. */
  static int show(DaemonClient client, String id, boolean json, Path html, PrintWriter out, PrintWriter err)
      throws IOException {
    String path = BENCH + "/" + id;
    JsonNode report = client.getJsonUnversioned(path);
    if (json) {
      out.println(Json.pretty(report));
    } else {
      BenchOutput.table(report, out);
    }
    if (html != null) {
      try (DaemonClient.Response r = client.request("GET", path + "/report.html", null)) {
        Files.write(html, BenchOutput.ok(r).readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + html + ": " + e.getMessage(), e);
      }
      err.println("HTML report written to " + html);
    }
    out.flush();
    err.flush();
    return 0;
  }

  /** A progress bar on a terminal; plain lines otherwise (logs, pipes, CI). */
  static final class Progress {
    private final PrintWriter err;
    private final boolean terminal;
    private boolean drawn;

    Progress(PrintWriter err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    void show(int step, int total, String kind, String message) {
      if (!terminal) {
        err.println("[" + step + "/" + total + "] " + kind + ": " + message);
      } else {
        int width = 24;
        int done = total <= 0 ? 0 : Math.min(width, step * width / total);
        String line = "[" + "#".repeat(done) + ".".repeat(width - done) + "] " + step + "/" + total + " " + kind + ": "
            + message;
        err.print("\r\033[K" + (line.length() > 110 ? line.substring(0, 110) : line));
        drawn = true;
      }
      err.flush();
    }

    void end() {
      if (drawn) {
        err.print("\r\033[K");
        err.flush();
        drawn = false;
      }
    }
  }
}
