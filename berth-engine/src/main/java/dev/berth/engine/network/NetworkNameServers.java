package dev.berth.engine.network;

import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.state.NetworkTable.EndpointRow;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name servers of user-defined networks (one on each network's gateway, port 53): they
 * answer a container's name, its aliases on that network and its short ID with its address.
 */
final class NetworkNameServers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkNameServers.class);

  private final NetworkTable table;
  private final Map<String, NetworkDns> servers = new ConcurrentHashMap<>();

  NetworkNameServers(NetworkTable table) {
    this.table = table;
  }

  /** Starts the network's name server unless it runs (once its bridge, and so its gateway address, exists). */
  void ensure(Network n) {
    if (!n.config().dns()) {
      return;
    }
    servers.computeIfAbsent(n.id(), id -> {
      try {
        return NetworkDns.start(n.config().gateway(), name -> resolve(id, name));
      } catch (IOException e) {
        log.warn("network {}: no name server on {}:53: {}", n.name(), n.config().gateway(), e.getMessage());
        return null;
      }
    });
  }

  /** Stops the removed network's name server. */
  void stop(String networkId) {
    NetworkDns server = servers.remove(networkId);
    if (server != null) {
      server.close();
    }
  }

  /** A container's address on the network by its name, an alias or its short ID. */
  Optional<String> resolve(String networkId, String name) {
    String want = name.toLowerCase(Locale.ROOT);
    for (EndpointRow r : table.endpointsIn(networkId)) {
      if (r.attachedJson().isEmpty()) {
        continue;
      }
      EndpointSettings s = NetworkRecords.settings(r);
      boolean match = want.equals(lower(s.containerName())) || want.equals(r.containerId().substring(0, 12))
          || s.aliases().stream().anyMatch(a -> want.equals(lower(a)));
      if (match) {
        return NetworkRecords.attached(r).map(Attached::ipAddress);
      }
    }
    return Optional.empty();
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    servers.values().forEach(NetworkDns::close);
    servers.clear();
  }
}
