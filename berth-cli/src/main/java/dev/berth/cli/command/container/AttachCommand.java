package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth attach}: the container's stdio; ctrl-p ctrl-q detaches (the daemon watches for it). */
@Command(name = "attach", mixinStandardHelpOptions = true, description = "Attach local standard input, output, and error streams to a running container")
public final class AttachCommand implements Callable<Integer> {
  @Option(names = "--no-stdin", description = "Do not attach STDIN") boolean noStdin;
  @Option(names = "--detach-keys", description = "Override the key sequence for detaching a container", defaultValue = "ctrl-p,ctrl-q") String detachKeys;
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var c = ContainerCommands.inspect(spec, container);
    String id = c.path("Id").asText();
    boolean tty = c.path("Config").path("Tty").asBoolean();
    boolean stdin = !noStdin && c.path("Config").path("OpenStdin").asBoolean();
    DaemonClient client = ContainerCommands.client(spec);
    ContainerCommands.RawTerminal raw = null;
    try (DaemonClient.RawConnection conn = client.upgrade("POST", ContainerCommands.path(id)
        + "/attach?stream=1&stdout=1&stderr=1" + (stdin ? "&stdin=1" : "") + "&detachKeys="
        + java.net.URLEncoder.encode(detachKeys, java.nio.charset.StandardCharsets.UTF_8), null)) {
      if (tty && ContainerCommands.stdinIsTerminal()) {
        raw = ContainerCommands.RawTerminal.enter();
        int[] size = ContainerCommands.RawTerminal.size();
        if (size != null) {
          client.json("POST", ContainerCommands.path(id) + "/resize?h=" + size[0] + "&w=" + size[1], null);
        }
      }
      if (stdin) {
        Thread.ofPlatform().daemon().start(() -> {
          try {
            System.in.transferTo(conn.output());
            conn.closeOutput();
          } catch (IOException e) {
            // detached or ended
          }
        });
      }
      ContainerCommands.copyOutput(conn.input(), tty, System.out, System.err);
    } finally {
      if (raw != null) {
        raw.close();
      }
    }
    var after = ContainerCommands.inspect(spec, id);
    return after.path("State").path("Running").asBoolean() ? 0 : after.path("State").path("ExitCode").asInt();
  }
}
