package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.command.CodedOptions;
import java.util.ArrayList;
import java.util.List;

/** The network options of {@code run} and {@code create} (ports, aliases, addresses). */
public final class NetworkOptions {
  boolean publishAll;
  final List<String> publish = new ArrayList<>();
  final List<String> expose = new ArrayList<>();
  final List<String> aliases = new ArrayList<>();
  String ip;

  /** Declares these options on a command (see CodedOptions: no annotations, for start-up time). */
  void declare(CodedOptions o) {
    o.flag("Publish all exposed ports to random ports",
        v -> publishAll = v, "-P", "--publish-all");
    o.list(String.class, "[[IP:][HOST_PORT]:]PORT[/PROTO]", "Publish a container's port to the host (e.g. 8080:80, 127.0.0.1:8080:80, 80, 53/udp)",
        publish, "-p", "--publish");
    o.list(String.class, "PORT[/PROTO]", "Expose a port (published by -P)",
        expose, "--expose");
    o.list(String.class, "ALIAS", "Add a network-scoped alias for the container",
        aliases, "--network-alias");
    o.value(String.class, "IPV4", "IPv4 address (e.g., 172.30.100.104)",
        v -> ip = v, "--ip");
  }

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
