package dev.berth.engine.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL for the {@code vms} table. */
public final class VmTable {
  private static final String COLUMNS = "id, name, created, config, state, pid, accel, started_at, stopped_at";

  private final StateStore store;

  public VmTable(StateStore store) {
    this.store = store;
  }

  /** Inserts a new VM; false when the name is taken (the UNIQUE constraint decides, not a racy check). */
  public boolean insert(VmRow row) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO vms(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, row.id());
        ps.setString(2, row.name());
        ps.setString(3, row.created());
        ps.setString(4, row.config());
        ps.setString(5, row.state());
        ps.setLong(6, row.pid());
        ps.setString(7, row.accel());
        ps.setString(8, row.startedAt());
        ps.setString(9, row.stoppedAt());
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Records a state change. */
  public void updateState(String id, String state, long pid, String accel, String startedAt, String stoppedAt) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE vms SET state = ?, pid = ?, accel = ?, started_at = ?, stopped_at = ? WHERE id = ?")) {
        ps.setString(1, state);
        ps.setLong(2, pid);
        ps.setString(3, accel);
        ps.setString(4, startedAt);
        ps.setString(5, stoppedAt);
        ps.setString(6, id);
        return ps.executeUpdate();
      }
    });
  }

  public boolean delete(String id) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM vms WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  public Optional<VmRow> byId(String id) {
    return one("SELECT " + COLUMNS + " FROM vms WHERE id = ?", id);
  }

  public Optional<VmRow> byName(String name) {
    return one("SELECT " + COLUMNS + " FROM vms WHERE name = ?", name);
  }

  /** VMs whose ID starts with {@code prefix} (at most a few; the caller decides on ambiguity). */
  public List<VmRow> byIdPrefix(String prefix) {
    return many("SELECT " + COLUMNS + " FROM vms WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 2",
        prefix.length(), prefix);
  }

  public List<VmRow> all() {
    return many("SELECT " + COLUMNS + " FROM vms ORDER BY created DESC, id");
  }

  private Optional<VmRow> one(String sql, String param) {
    List<VmRow> rows = many(sql, param);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  private List<VmRow> many(String sql, Object... params) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setObject(i + 1, params[i]);
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<VmRow> rows = new ArrayList<>();
          while (rs.next()) {
            rows.add(row(rs));
          }
          return rows;
        }
      }
    });
  }

  private static VmRow row(ResultSet rs) throws SQLException {
    return new VmRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9));
  }
}
