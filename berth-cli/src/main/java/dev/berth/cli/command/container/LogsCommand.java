package dev.berth.cli.command.container;

import dev.berth.cli.client.DaemonClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth logs}: stdout to our stdout, stderr to our stderr. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Fetch the logs of a container")
public final class LogsCommand implements Callable<Integer> {
  @Option(names = {"-f", "--follow"}, description = "Follow log output") boolean follow;
  @Option(names = {"-n", "--tail"}, description = "Number of lines to show from the end of the logs", defaultValue = "all") String tail;
  @Option(names = "--since", description = "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)") String since;
  @Option(names = "--until", description = "Show logs before a timestamp or relative (e.g. 42m)") String until;
  @Option(names = {"-t", "--timestamps"}, description = "Show timestamps") boolean timestamps;
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean tty = ContainerCommands.inspect(spec, container).path("Config").path("Tty").asBoolean();
    Map<String, String> q = new LinkedHashMap<>();
    q.put("stdout", "1");
    q.put("stderr", "1");
    q.put("follow", follow ? "1" : "0");
    q.put("tail", tail);
    q.put("timestamps", timestamps ? "1" : "0");
    q.put("since", since == null ? null : TimeArgs.unix(since));
    q.put("until", until == null ? null : TimeArgs.unix(until));
    try (DaemonClient.Response r = ContainerCommands.client(spec).callChecked("GET",
        ContainerCommands.path(container) + "/logs" + DaemonClient.query(q), Map.of(), new DaemonClient.Body.None())) {
      ContainerCommands.copyOutput(r.body(), tty, System.out, System.err);
    }
    return 0;
  }
}
