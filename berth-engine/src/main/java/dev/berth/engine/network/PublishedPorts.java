package dev.berth.engine.network;

import dev.berth.engine.state.NetworkTable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's published ports: the host ports held ({@link PortReservations}), their DNAT
 * rules to the container's first address ({@link Iptables}), and their record (so a restarted
 * berthd puts them back).
 */
final class PublishedPorts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PublishedPorts.class);

  private final NetworkTable table;
  private final Iptables iptables;
  private final PortReservations reservations = new PortReservations();

  PublishedPorts(NetworkTable table, Iptables iptables) {
    this.table = table;
    this.iptables = iptables;
  }

  /** Holds the host ports (chosen ones filled in); a taken one fails here, before anything else is made. */
  List<PortBinding> reserve(String containerId, List<PortBinding> ports, boolean publishAll, Set<String> exposed) {
    List<PortBinding> all = new ArrayList<>(ports);
    if (publishAll) {
      Set<String> have = new LinkedHashSet<>();
      ports.forEach(p -> have.add(p.key()));
      for (String e : exposed) {
        String[] parts = e.split("/");
        PortBinding p = new PortBinding(parts.length > 1 ? parts[1] : "tcp", Integer.parseInt(parts[0]), "", 0);
        if (have.add(p.key())) {
          all.add(p);
        }
      }
    }
    return all.isEmpty() ? List.of() : reservations.reserve(containerId, all);
  }

  /** The held ports' DNAT rules to the container's first address, recorded. */
  void publish(String containerId, List<PortBinding> bound, Attached first) {
    if (!bound.isEmpty()) {
      table.putPorts(containerId, NetworkRecords.json(bound));
      iptables.addPorts(containerId, bound, first.ipAddress());
    }
  }

  /** The host ports a running container publishes (chosen ports filled in). */
  List<PortBinding> of(String containerId) {
    return table.ports(containerId).map(j -> List.of(NetworkRecords.read(j, PortBinding[].class))).orElse(List.of());
  }

  /** Gives the ports back and removes their rules and record; errors are logged. */
  void release(String containerId) {
    reservations.release(containerId);
    if (table.ports(containerId).isPresent()) {
      try {
        iptables.removeTagged(iptables.containerTag(containerId));
        table.deletePorts(containerId);
      } catch (RuntimeException e) {
        log.warn("container {}: cannot remove its port rules: {}", containerId.substring(0, 12), e.getMessage());
      }
    }
  }

  /** Gives the ports held for a container back, keeping their rules (a failed reservation). */
  void unreserve(String containerId) {
    reservations.release(containerId);
  }

  /**
   * After a restart of berthd: holds a running container's recorded ports again and puts its
   * rules (to {@code first}'s address, looked up only then) back when they were flushed meanwhile. {@code nat} is iptables-save's nat table, read
   * once for all containers (null: not read yet); the table as read, for the next call.
   */
  String restore(String containerId, Supplier<Optional<Attached>> first, String nat) {
    List<PortBinding> ports = of(containerId);
    if (ports.isEmpty()) {
      return nat;
    }
    try {
      reservations.reserve(containerId, ports);
      if (nat == null) {
        nat = Iptables.save("nat");
      }
      if (!nat.contains(iptables.containerTag(containerId))) { // rules flushed meanwhile: put them back
        Optional<Attached> address = first.get();
        if (address.isPresent()) {
          iptables.addPorts(containerId, ports, address.get().ipAddress());
        }
      }
    } catch (RuntimeException e) {
      log.warn("container {}: {}", containerId.substring(0, 12), e.getMessage());
    }
    return nat;
  }

  @Override
  public void close() {
    reservations.releaseAll();
  }
}
