package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The network options of {@code run} and {@code create} (ports, aliases, addresses). */
public final class NetworkOptions {
  @Option(names = {"-P", "--publish-all"}, description = "Publish all exposed ports to random ports") boolean publishAll;
  @Option(names = {"-p", "--publish"}, paramLabel = "[[IP:][HOST_PORT]:]PORT[/PROTO]",
      description = "Publish a container's port to the host (e.g. 8080:80, 127.0.0.1:8080:80, 80, 53/udp)")
  List<String> publish = new ArrayList<>();
  @Option(names = "--expose", paramLabel = "PORT[/PROTO]", description = "Expose a port (published by -P)")
  List<String> expose = new ArrayList<>();
  @Option(names = "--network-alias", paramLabel = "ALIAS", description = "Add a network-scoped alias for the container")
  List<String> aliases = new ArrayList<>();
  @Option(names = "--ip", paramLabel = "IPV4", description = "IPv4 address (e.g., 172.30.100.104)") String ip;

  void addTo(ObjectNode body, ObjectNode host) {
    host.put("PublishAllPorts", publishAll);
    ObjectNode bindings = host.putObject("PortBindings");
    ObjectNode exposed = body.putObject("ExposedPorts");
    for (String p : publish) {
      PortSpec s = PortSpec.parse(p);
      ArrayNode list = bindings.has(s.key()) ? (ArrayNode) bindings.get(s.key()) : bindings.putArray(s.key());
      list.addObject().put("HostIp", s.hostIp()).put("HostPort", s.hostPort());
      exposed.putObject(s.key());
    }
    for (String e : expose) {
      exposed.putObject(PortSpec.parse(e).key());
    }
    if (!aliases.isEmpty() || ip != null) {
      String network = host.path("NetworkMode").asText("default");
      ObjectNode endpoint = body.putObject("NetworkingConfig").putObject("EndpointsConfig")
          .putObject(network.equals("default") ? "bridge" : network);
      aliases.forEach(endpoint.putArray("Aliases")::add);
      if (ip != null) {
        endpoint.putObject("IPAMConfig").put("IPv4Address", ip);
      }
    }
  }

  /** docker ps's PORTS cell: "0.0.0.0:8080->80/tcp, 127.0.0.1:32768->81/tcp". */
  static String portsCell(com.fasterxml.jackson.databind.JsonNode ports) {
    List<String> cells = new ArrayList<>();
    for (var p : ports) {
      String container = p.path("PrivatePort").asInt() + "/" + p.path("Type").asText("tcp");
      cells.add(p.has("PublicPort") ? p.path("IP").asText("0.0.0.0") + ":" + p.path("PublicPort").asInt() + "->"
          + container : container);
    }
    return String.join(", ", cells);
  }
}
