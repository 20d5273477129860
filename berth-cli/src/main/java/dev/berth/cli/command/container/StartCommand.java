package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth start}; with {@code -a} it attaches and exits with the container's code. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start one or more stopped containers")
public final class StartCommand implements Callable<Integer> {
  @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals") boolean attach;
  @Option(names = {"-i", "--interactive"}, description = "Attach container's STDIN") boolean interactive;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (attach || interactive) {
      if (containers.size() != 1) {
        throw new IllegalArgumentException("you cannot start and attach multiple containers at once");
      }
      var c = ContainerCommands.inspect(spec, containers.getFirst());
      return attachAndStart(spec, c.path("Id").asText(), c.path("Config").path("Tty").asBoolean(),
          interactive, c.path("HostConfig").path("AutoRemove").asBoolean());
    }
    return EachContainer.run(spec, containers,
        c -> ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/start", null));
  }

  /** attach → wait → start → copy streams → the wait's status code. */
  private static int attachAndStart(CommandSpec spec, String id, boolean tty, boolean stdin, boolean autoRemove)
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
          return RunCommand.exitCodeFor(e.getMessage());
        }
        if (tty && ContainerCommands.stdinIsTerminal()) {
          raw = ContainerCommands.RawTerminal.enter();
          int[] size = ContainerCommands.RawTerminal.size();
          if (size != null) {
            client.json("POST", base + "/resize?h=" + size[0] + "&w=" + size[1], null);
          }
        }
        if (stdin) {
          Thread.ofPlatform().daemon().start(() -> ContainerCommands.copyStdin(conn));
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
}
