package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.command.CodedOptions;
import dev.berth.cli.command.image.PullCommand;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code berth run}: create (pulling the image if missing), attach, wait, start, as the docker
 * CLI does; the exit code is the container's. Errors before the container runs exit 125, a
 * command that cannot be found 127, one that cannot be executed 126.
 */
public final class RunCommand implements Callable<Integer> {
  boolean detach;
  final ContainerOptions options = new ContainerOptions();
  String image;
  final List<String> command = new ArrayList<>();
  final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("run");
  private final CodedOptions declared = new CodedOptions(spec);

  public RunCommand() {
    spec.usageMessage().description("Create and run a new container from an image");
    declared.usageHelp("--help");
    declared.flag("Run container in background and print container ID", v -> detach = v, "-d", "--detach");
    options.declareWithImage(declared, v -> image = v, command);
  }

  /** The command's model, for picocli (built in code, see CodedOptions). */
  public CommandSpec spec() {
    return spec;
  }

  /** After parsing: the option values into the fields. */
  void readParsed() {
    declared.read();
  }

  @Override
  public Integer call() throws Exception {
    readParsed();
    String id;
    try {
      id = create(spec, options, image, command);
    } catch (DaemonException e) {
      return fail(e.getMessage(), 125);
    } catch (IllegalArgumentException e) {
      ContainerCommands.err(spec).println("berth: " + e.getMessage());
      ContainerCommands.err(spec).println("See 'berth run --help'.");
      ContainerCommands.err(spec).flush();
      return 125;
    }
    DaemonClient client = ContainerCommands.client(spec);
    if (detach) {
      try {
        client.json("POST", ContainerCommands.path(id) + "/start", null);
      } catch (DaemonException e) {
        return fail(e.getMessage(), exitCodeFor(e.getMessage()));
      }
      ContainerCommands.out(spec).println(id);
      ContainerCommands.out(spec).flush();
      return 0;
    }
    return attachAndStart(spec, id, options.tty, options.interactive, options.rm);
  }

  private int fail(String message, int code) {
    ContainerCommands.err(spec).println("berth: Error response from daemon: " + message);
    ContainerCommands.err(spec).println("See 'berth run --help'.");
    ContainerCommands.err(spec).flush();
    return code;
  }

  /** docker's mapping of a failed start to an exit code. */
  static int exitCodeFor(String message) {
    if (message.contains("executable file not found") || message.contains("no such file or directory")) {
      return 127;
    }
    if (message.contains("permission denied")) {
      return 126;
    }
    return 125;
  }

  /** POST /containers/create; on "No such image" pulls it (progress on stderr) and tries again. */
  static String create(CommandSpec spec, ContainerOptions options, String image, List<String> command)
      throws IOException {
    byte[] body = Json.bytes(options.toJson(image, command));
    String path = "/containers/create" + DaemonClient.query(ContainerOptions.nameQuery(options.name));
    DaemonClient client = ContainerCommands.client(spec);
    try {
      return send(client, path, body);
    } catch (DaemonException e) {
      if (e.status() != 404 || !e.getMessage().startsWith("No such image")) {
        throw e;
      }
      ContainerCommands.err(spec).println("Unable to find image '" + image + "' locally");
      ContainerCommands.err(spec).flush();
      PullCommand.pullFor(spec, image);
      return send(client, path, body);
    }
  }

  private static String send(DaemonClient client, String path, byte[] body) throws IOException {
    try (DaemonClient.Response r = client.callChecked("POST", path, Map.of(),
        new DaemonClient.Body.Bytes("application/json", body))) {
      JsonNode created = Json.parse(r.bytes());
      return created.path("Id").asText();
    }
  }

  /** attach → wait → start → copy streams → the wait's status code. */
  static int attachAndStart(CommandSpec spec, String id, boolean tty, boolean stdin, boolean autoRemove)
      throws Exception {
    DaemonClient client = ContainerCommands.client(spec);
    String base = ContainerCommands.path(id);
    try (DaemonClient.RawConnection conn = client.upgrade("POST",
        base + "/attach?stream=1&stdout=1&stderr=1" + (stdin ? "&stdin=1" : ""), null);
        DaemonClient.Response wait = client.callChecked("POST",
            base + "/wait?condition=" + (autoRemove ? "removed" : "next-exit"), Map.of(), new DaemonClient.Body.None())) {
      ContainerCommands.RawTerminal raw = null;
      try {
        try {
          client.json("POST", base + "/start", null);
        } catch (DaemonException e) {
          ContainerCommands.err(spec).println("berth: Error response from daemon: " + e.getMessage());
          ContainerCommands.err(spec).flush();
          return exitCodeFor(e.getMessage());
        }
        if (tty && ContainerCommands.stdinIsTerminal()) {
          raw = ContainerCommands.RawTerminal.enter();
          int[] size = ContainerCommands.RawTerminal.size();
          if (size != null) {
            client.json("POST", base + "/resize?h=" + size[0] + "&w=" + size[1], null);
          }
        }
        if (stdin) {
          Thread.ofPlatform().daemon().start(() -> copyStdin(conn));
        }
        ContainerCommands.copyOutput(conn.input(), tty, System.out, System.err);
      } finally {
        if (raw != null) {
          raw.close();
        }
      }
      JsonNode result = Json.parse(wait.body());
      if (result != null && result.path("Error").hasNonNull("Message")
          && !result.path("Error").path("Message").asText().isEmpty()) {
        ContainerCommands.err(spec).println("berth: " + result.path("Error").path("Message").asText());
        ContainerCommands.err(spec).flush();
      }
      return result == null ? 125 : result.path("StatusCode").asInt(125);
    }
  }

  private static void copyStdin(DaemonClient.RawConnection conn) {
    try {
      InputStream in = System.in;
      OutputStream out = conn.output();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      conn.closeOutput();
    } catch (IOException e) {
      // the container ended the attach
    }
  }
}
