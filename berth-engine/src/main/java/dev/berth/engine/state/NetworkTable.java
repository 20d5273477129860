package dev.berth.engine.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The networks, their endpoints (container memberships) and published ports. Plain values; the network package maps them. */
public final class NetworkTable {
  private final StateStore store;

  public NetworkTable(StateStore store) {
    this.store = store;
  }

  /** One network; {@code created} in epoch milliseconds. */
  public record NetworkRow(String id, String name, long created, String configJson) {}

  /** One membership; {@code attachedJson} is empty while the container is not attached. */
  public record EndpointRow(String containerId, String networkId, String settingsJson, String attachedJson) {}

  /** Inserts; false when the name is taken. */
  public boolean insert(NetworkRow r) {
    return store.inTransaction(c -> {
      if (!networks(c, "SELECT * FROM networks WHERE name = ?", r.name()).isEmpty()) {
        return false;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO networks(id, name, created, config_json) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, r.id());
        ps.setString(2, r.name());
        ps.setLong(3, r.created());
        ps.setString(4, r.configJson());
        ps.executeUpdate();
      }
      return true;
    });
  }

  public void updateConfig(String id, String configJson) {
    update("UPDATE networks SET config_json = ? WHERE id = ?", configJson, id);
  }

  /** Deletes the network unless a container is attached to it; false then. Memberships of stopped containers go too. */
  public boolean deleteUnlessAttached(String id) {
    return store.inTransaction(c -> {
      if (!endpoints(c, "SELECT * FROM network_endpoints WHERE network_id = ? AND attached_json <> ''", id).isEmpty()) {
        return false;
      }
      exec(c, "DELETE FROM network_endpoints WHERE network_id = ?", id);
      exec(c, "DELETE FROM networks WHERE id = ?", id);
      return true;
    });
  }

  public List<NetworkRow> all() {
    return store.read(c -> networks(c, "SELECT * FROM networks ORDER BY created, rowid"));
  }

  public Optional<NetworkRow> byId(String id) {
    return store.read(c -> networks(c, "SELECT * FROM networks WHERE id = ?", id)).stream().findFirst();
  }

  public Optional<NetworkRow> byName(String name) {
    return store.read(c -> networks(c, "SELECT * FROM networks WHERE name = ?", name)).stream().findFirst();
  }

  public List<NetworkRow> byIdPrefix(String prefix) {
    return store.read(c -> networks(c, "SELECT * FROM networks WHERE id >= ? AND id < ?", prefix, prefix + "g"));
  }

  /** Adds or replaces a membership. */
  public void putEndpoint(EndpointRow r) {
    update("INSERT INTO network_endpoints(container_id, network_id, settings_json, attached_json) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT(container_id, network_id) DO UPDATE SET settings_json = excluded.settings_json, "
        + "attached_json = excluded.attached_json", r.containerId(), r.networkId(), r.settingsJson(), r.attachedJson());
  }

  public void setAttached(String containerId, String networkId, String attachedJson) {
    update("UPDATE network_endpoints SET attached_json = ? WHERE container_id = ? AND network_id = ?", attachedJson,
        containerId, networkId);
  }

  public void deleteEndpoint(String containerId, String networkId) {
    update("DELETE FROM network_endpoints WHERE container_id = ? AND network_id = ?", containerId, networkId);
  }

  public void deleteEndpoints(String containerId) {
    update("DELETE FROM network_endpoints WHERE container_id = ?", containerId);
  }

  public List<EndpointRow> endpointsOf(String containerId) {
    return store.read(c -> endpoints(c, "SELECT * FROM network_endpoints WHERE container_id = ? ORDER BY rowid",
        containerId));
  }

  public List<EndpointRow> endpointsIn(String networkId) {
    return store.read(c -> endpoints(c, "SELECT * FROM network_endpoints WHERE network_id = ? ORDER BY rowid",
        networkId));
  }

  public List<EndpointRow> allEndpoints() {
    return store.read(c -> endpoints(c, "SELECT * FROM network_endpoints ORDER BY rowid"));
  }

  public Optional<String> ports(String containerId) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT ports_json FROM container_ports WHERE container_id = ?")) {
        ps.setString(1, containerId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  public void putPorts(String containerId, String portsJson) {
    update("INSERT INTO container_ports(container_id, ports_json) VALUES (?, ?) ON CONFLICT(container_id) "
        + "DO UPDATE SET ports_json = excluded.ports_json", containerId, portsJson);
  }

  public void deletePorts(String containerId) {
    update("DELETE FROM container_ports WHERE container_id = ?", containerId);
  }

  /** Containers with published ports recorded. */
  public List<String> containersWithPorts() {
    return store.read(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT container_id FROM container_ports");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  private void update(String sql, String... args) {
    store.inTransaction(c -> {
      exec(c, sql, args);
      return null;
    });
  }

  private static void exec(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private static List<NetworkRow> networks(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<NetworkRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new NetworkRow(rs.getString("id"), rs.getString("name"), rs.getLong("created"),
              rs.getString("config_json")));
        }
      }
      return rows;
    }
  }

  private static List<EndpointRow> endpoints(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<EndpointRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new EndpointRow(rs.getString("container_id"), rs.getString("network_id"),
              rs.getString("settings_json"), rs.getString("attached_json")));
        }
      }
      return rows;
    }
  }
}
