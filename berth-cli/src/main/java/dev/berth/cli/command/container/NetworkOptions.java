package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** The network options of {@code run} and {@code create} (ports, aliases, addresses). */
public final class NetworkOptions {
  @Option(names = {"-P", "--publish-all"}, description = "Publish all exposed ports to random ports") boolean publishAll;

  void addTo(ObjectNode body, ObjectNode host) {
    host.put("PublishAllPorts", publishAll);
  }
}
