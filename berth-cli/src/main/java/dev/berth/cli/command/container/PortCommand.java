package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth port}: the host addresses a container's ports are published on. */
@Command(name = "port", mixinStandardHelpOptions = true,
    description = "List port mappings or a specific mapping for the container")
public final class PortCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]") String port;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    JsonNode c = ContainerCommands.inspect(spec, container);
    JsonNode ports = c.path("NetworkSettings").path("Ports");
    String want = port == null ? null : port.contains("/") ? port : port + "/tcp";
    boolean found = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = ports.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (want != null && !want.equals(e.getKey())) {
        continue;
      }
      for (JsonNode b : e.getValue()) {
        found = true;
        String where = b.path("HostIp").asText() + ":" + b.path("HostPort").asText();
        ContainerCommands.out(spec).println(want != null ? where : e.getKey() + " -> " + where);
      }
    }
    ContainerCommands.out(spec).flush();
    if (want != null && !found) {
      ContainerCommands.err(spec).println("Error: No public port '" + want + "' published for " + container);
      ContainerCommands.err(spec).flush();
      return 1;
    }
    return 0;
  }
}
