package dev.berth.engine.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The containers table. Rows of plain values; the container package maps them to its types. */
public final class ContainerTable {
  private final StateStore store;

  public ContainerTable(StateStore store) {
    this.store = store;
  }

  /** One container; times are epoch milliseconds (0 = never). */
  public record ContainerRow(String id, String name, String imageId, String imageRef, long created, String configJson,
      String status, int pid, int exitCode, long startedAt, long finishedAt, boolean oomKilled, String error,
      int restartCount) {}

  /** Inserts; false when the name is taken. */
  public boolean insert(ContainerRow r) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM containers WHERE name = ?")) {
        ps.setString(1, r.name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return false;
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO containers(id, name, image_id, image_ref, created, "
          + "config_json, status, pid, exit_code, started_at, finished_at, oom_killed, error, restart_count) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bind(ps, r);
        ps.executeUpdate();
      }
      return true;
    });
  }

  /** Replaces a container's stored config (update's new limits, a removed link). */
  public void updateConfig(String id, String configJson) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE containers SET config_json = ? WHERE id = ?")) {
        ps.setString(1, configJson);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Writes the lifecycle columns of an existing row. */
  public void updateState(ContainerRow r) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE containers SET status = ?, pid = ?, exit_code = ?, "
          + "started_at = ?, finished_at = ?, oom_killed = ?, error = ?, restart_count = ? WHERE id = ?")) {
        ps.setString(1, r.status());
        ps.setInt(2, r.pid());
        ps.setInt(3, r.exitCode());
        ps.setLong(4, r.startedAt());
        ps.setLong(5, r.finishedAt());
        ps.setInt(6, r.oomKilled() ? 1 : 0);
        ps.setString(7, r.error());
        ps.setInt(8, r.restartCount());
        ps.setString(9, r.id());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Renames; false when {@code name} is taken. */
  public boolean rename(String id, String name) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM containers WHERE name = ? AND id <> ?")) {
        ps.setString(1, name);
        ps.setString(2, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return false;
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE containers SET name = ? WHERE id = ?")) {
        ps.setString(1, name);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return true;
    });
  }

  /** Records whether the user stopped (or killed) the container by hand; a start clears it. */
  public void setManuallyStopped(String id, boolean stopped) {
    update("UPDATE containers SET manually_stopped = ? WHERE id = ?", stopped ? "1" : "0", id);
  }

  public boolean manuallyStopped(String id) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT manually_stopped FROM containers WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getInt(1) != 0;
        }
      }
    });
  }

  /** The container's last health state as JSON ('' = none). */
  public void setHealth(String id, String json) {
    update("UPDATE containers SET health_json = ? WHERE id = ?", json, id);
  }

  public String health(String id) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT health_json FROM containers WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getString(1) : "";
        }
      }
    });
  }

  private void update(String sql, String... args) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setString(i + 1, args[i]);
        }
        ps.executeUpdate();
      }
      return null;
    });
  }

  public void delete(String id) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM containers WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public Optional<ContainerRow> byId(String id) {
    List<ContainerRow> rows = query("SELECT * FROM containers WHERE id = ?", id);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  public Optional<ContainerRow> byName(String name) {
    List<ContainerRow> rows = query("SELECT * FROM containers WHERE name = ?", name);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  /** Rows whose ID starts with {@code prefix} (hex only, checked by the caller). */
  public List<ContainerRow> byIdPrefix(String prefix) {
    return query("SELECT * FROM containers WHERE id >= ? AND id < ?", prefix, prefix + "g");
  }

  /** All rows, newest first. */
  public List<ContainerRow> all() {
    return query("SELECT * FROM containers ORDER BY created DESC, rowid DESC");
  }

  public boolean imageInUse(String imageId) {
    return !query("SELECT * FROM containers WHERE image_id = ? LIMIT 1", imageId).isEmpty();
  }

  private List<ContainerRow> query(String sql, String... args) {
    return store.read(c -> query(c, sql, args));
  }

  private static List<ContainerRow> query(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<ContainerRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new ContainerRow(rs.getString("id"), rs.getString("name"), rs.getString("image_id"),
              rs.getString("image_ref"), rs.getLong("created"), rs.getString("config_json"), rs.getString("status"),
              rs.getInt("pid"), rs.getInt("exit_code"), rs.getLong("started_at"), rs.getLong("finished_at"),
              rs.getInt("oom_killed") != 0, rs.getString("error"), rs.getInt("restart_count")));
        }
      }
      return rows;
    }
  }

  private static void bind(PreparedStatement ps, ContainerRow r) throws SQLException {
    ps.setString(1, r.id());
    ps.setString(2, r.name());
    ps.setString(3, r.imageId());
    ps.setString(4, r.imageRef());
    ps.setLong(5, r.created());
    ps.setString(6, r.configJson());
    ps.setString(7, r.status());
    ps.setInt(8, r.pid());
    ps.setInt(9, r.exitCode());
    ps.setLong(10, r.startedAt());
    ps.setLong(11, r.finishedAt());
    ps.setInt(12, r.oomKilled() ? 1 : 0);
    ps.setString(13, r.error());
    ps.setInt(14, r.restartCount());
  }
}
