package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.command.CodedOptions;
import dev.berth.cli.command.image.PullCommand;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  /** berthd's run endpoint and the header naming the container it made. */
  static final String RUN_PATH = "/berth/v1/containers/run";
  static final String ID_HEADER = "X-Berth-Container-Id";
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
    try {
      return detach ? runDetached() : runAttached();
    } catch (DaemonException e) {
      return fail(e.getMessage(), 125);
    } catch (IllegalArgumentException e) {
      ContainerCommands.err(spec).println("berth: " + e.getMessage());
      ContainerCommands.err(spec).println("See 'berth run --help'.");
      ContainerCommands.err(spec).flush();
      return 125;
    }
  }

  private int runDetached() throws IOException {
    String id = create(spec, options, image, command);
    try {
      ContainerCommands.client(spec).json("POST", ContainerCommands.path(id) + "/start", null);
    } catch (DaemonException e) {
      return fail(e.getMessage(), exitCodeFor(e.getMessage()));
    }
    ContainerCommands.out(spec).println(id);
    ContainerCommands.out(spec).flush();
    return 0;
  }

  /**
   * One request to berthd's run endpoint (create, attach, start, wait: see ARCHITECTURE.md),
   * pulling the image first when it is missing; the output as it comes, then the exit status.
   */
  private int runAttached() throws Exception {
    DaemonClient client = ContainerCommands.client(spec);
    byte[] body = Json.bytes(options.toJson(image, command));
    Map<String, String> query = new LinkedHashMap<>(ContainerOptions.nameQuery(options.name));
    if (options.interactive) {
      query.put("stdin", "1");
    }
    String path = RUN_PATH + DaemonClient.query(query);
    try (DaemonClient.RawConnection conn =
        pullingIfMissing(spec, image, () -> client.upgradeUnversioned("POST", path, body))) {
      ContainerCommands.RawTerminal raw = null;
      byte[] status;
      try {
        if (options.tty && ContainerCommands.stdinIsTerminal()) {
          raw = ContainerCommands.RawTerminal.enter();
          resize(client, conn.header(ID_HEADER));
        }
        if (options.interactive) {
          Thread.ofPlatform().daemon().start(() -> ContainerCommands.copyStdin(conn));
        }
        status = ContainerCommands.copyFrames(conn.input(), System.out, System.err);
      } finally {
        if (raw != null) {
          raw.close();
        }
      }
      return exitCode(status);
    }
  }

  /** The run's last frame: the container's exit code, or why it never ran. */
  private int exitCode(byte[] status) throws IOException {
    JsonNode s = status == null ? null : Json.parse(status);
    if (s == null) {
      ContainerCommands.err(spec).println("berth: the daemon ended the run without its exit status (see its log)");
      ContainerCommands.err(spec).flush();
      return 125;
    }
    if (s.hasNonNull("StartError")) {
      String message = s.path("StartError").asText();
      ContainerCommands.err(spec).println("berth: Error response from daemon: " + message);
      ContainerCommands.err(spec).flush();
      return exitCodeFor(message);
    }
    if (s.path("Detached").asBoolean(false)) {
      return 0;
    }
    if (!s.path("Error").asText("").isEmpty()) {
      ContainerCommands.err(spec).println("berth: " + s.path("Error").asText());
      ContainerCommands.err(spec).flush();
    }
    return s.path("StatusCode").asInt(125);
  }

  /** The container's terminal to the size of ours, as docker does once the container runs. */
  private static void resize(DaemonClient client, String id) {
    int[] size = ContainerCommands.RawTerminal.size();
    if (id == null || size == null) {
      return;
    }
    try {
      client.json("POST", ContainerCommands.path(id) + "/resize?h=" + size[0] + "&w=" + size[1], null);
    } catch (DaemonException e) {
      // It ended already; its output and status still come.
    }
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
    return pullingIfMissing(spec, image, () -> send(client, path, body));
  }

  /** A request to the daemon that may fail with "No such image". */
  interface ImageRequest<T> {
    T send() throws IOException;
  }

  /** Sends {@code request}; when the image is missing, pulls it (progress on stderr) and sends it again, as docker does. */
  private static <T> T pullingIfMissing(CommandSpec spec, String image, ImageRequest<T> request) throws IOException {
    try {
      return request.send();
    } catch (DaemonException e) {
      if (e.status() != 404 || !e.getMessage().startsWith("No such image")) {
        throw e;
      }
      ContainerCommands.err(spec).println("Unable to find image '" + image + "' locally");
      ContainerCommands.err(spec).flush();
      PullCommand.pullFor(spec, image);
      return request.send();
    }
  }

  private static String send(DaemonClient client, String path, byte[] body) throws IOException {
    try (DaemonClient.Response r = client.callChecked("POST", path, Map.of(),
        new DaemonClient.Body.Bytes("application/json", body))) {
      JsonNode created = Json.parse(r.bytes());
      return created.path("Id").asText();
    }
  }
}
