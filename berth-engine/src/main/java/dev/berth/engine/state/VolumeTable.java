package dev.berth.engine.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL for the {@code volumes} table. Rows of plain values; the volume package maps them. */
public final class VolumeTable {
  private final StateStore store;

  public VolumeTable(StateStore store) {
    this.store = store;
  }

  /** One volume; {@code created} in epoch milliseconds, labels and options as JSON objects. */
  public record VolumeRow(String name, String driver, long created, String labelsJson, String optionsJson) {}

  /** Inserts; false when the name is taken (the primary key decides, not a racy check). */
  public boolean insert(VolumeRow r) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO volumes(name, driver, created, labels_json, "
          + "options_json) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, r.name());
        ps.setString(2, r.driver());
        ps.setLong(3, r.created());
        ps.setString(4, r.labelsJson());
        ps.setString(5, r.optionsJson());
        return ps.executeUpdate() == 1;
      }
    });
  }

  public boolean delete(String name) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM volumes WHERE name = ?")) {
        ps.setString(1, name);
        return ps.executeUpdate() == 1;
      }
    });
  }

  public Optional<VolumeRow> byName(String name) {
    List<VolumeRow> rows = query("SELECT * FROM volumes WHERE name = ?", name);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  /** All rows, by name. */
  public List<VolumeRow> all() {
    return query("SELECT * FROM volumes ORDER BY name");
  }

  private List<VolumeRow> query(String sql, String... args) {
    return store.read(c -> query(c, sql, args));
  }

  private static List<VolumeRow> query(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<VolumeRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new VolumeRow(rs.getString("name"), rs.getString("driver"), rs.getLong("created"),
              rs.getString("labels_json"), rs.getString("options_json")));
        }
      }
      return rows;
    }
  }
}
