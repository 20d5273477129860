package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth exec}: runs a command in a running container; exits with its code. */
@Command(name = "exec", mixinStandardHelpOptions = true, description = "Execute a command in a running container")
public final class ExecCommand implements Callable<Integer> {

  @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached") boolean interactive;
  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
  @Option(names = {"-d", "--detach"}, description = "Detached mode: run command in the background") boolean detach;
  @Option(names = {"-u", "--user"}, description = "Username or UID") String user;
  @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container") String workdir;
  @Option(names = {"-e", "--env"}, description = "Set environment variables") List<String> env = new ArrayList<>();
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND") List<String> command;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DaemonClient client = ContainerCommands.client(spec);
    ObjectNode body = Json.object();
    body.put("AttachStdin", interactive);
    body.put("AttachStdout", !detach);
    body.put("AttachStderr", !detach);
    body.put("Tty", tty);
    command.forEach(body.putArray("Cmd")::add);
    env.forEach(e -> body.withArray("Env").add(ContainerOptions.expandEnv(e)));
    if (user != null) {
      body.put("User", user);
    }
    if (workdir != null) {
      body.put("WorkingDir", workdir);
    }
    String id = client.json("POST", ContainerCommands.path(container) + "/exec", body).path("Id").asText();
    ObjectNode start = Json.object();
    start.put("Detach", detach);
    start.put("Tty", tty);
    if (detach) {
      client.json("POST", "/exec/" + id + "/start", start);
      return 0;
    }
    // The terminal's size with the start (ConsoleSize, as the docker CLI sends it): the process
    // has it from its first instruction; the resize after the start alone came too late for a
    // microVM exec's shell under load (decision 2600).
    int[] startSize = tty && ContainerCommands.stdinIsTerminal() ? ContainerCommands.RawTerminal.size() : null;
    if (startSize != null) {
      start.putArray("ConsoleSize").add(startSize[0]).add(startSize[1]);
    }
    ContainerCommands.RawTerminal raw = null;
    try (DaemonClient.RawConnection conn = client.upgrade("POST", "/exec/" + id + "/start",
        Json.bytes(start))) {
      if (tty && ContainerCommands.stdinIsTerminal()) {
        raw = ContainerCommands.RawTerminal.enter();
        int[] size = ContainerCommands.RawTerminal.size();
        if (size != null) {
          client.json("POST", "/exec/" + id + "/resize?h=" + size[0] + "&w=" + size[1], null);
        }
        ContainerCommands.RawTerminal.onResize(s -> {
          try {
            client.json("POST", "/exec/" + id + "/resize?h=" + s[0] + "&w=" + s[1], null);
          } catch (Exception e) {
            // the exec ended meanwhile
          }
        });
      }
      if (interactive) {
        Thread.ofPlatform().daemon().start(() -> {
          try {
            System.in.transferTo(conn.output());
            conn.closeOutput();
          } catch (java.io.IOException e) {
            // the exec ended first
          }
        });
      }
      ContainerCommands.copyOutput(conn.input(), tty, System.out, System.err);
    } finally {
      if (raw != null) {
        raw.close();
      }
    }
    return client.json("GET", "/exec/" + id + "/json", null).path("ExitCode").asInt();
  }
}
