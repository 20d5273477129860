package dev.berth.engine.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL for the {@code build_cache} table: a build step's cache key → the image it made. */
public final class BuildCacheTable {
  private final StateStore store;

  public BuildCacheTable(StateStore store) {
    this.store = store;
  }

  /**
   * One cached step; times in epoch milliseconds.
   *
   * @param kind "regular" (RUN), "source.local" (COPY/ADD) or "internal" (config only)
   * @param size bytes of the layer the step added (0 when none)
   */
  public record CacheRow(String cacheKey, String parentId, String imageId, String kind, String description, long size,
      long created, long lastUsed, int usageCount) {}

  /** Records a step; a key already there (a parallel build made it too) is replaced. */
  public void put(CacheRow r) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO build_cache(cache_key, parent_id, "
          + "image_id, kind, description, size, created, last_used, usage_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, r.cacheKey());
        ps.setString(2, r.parentId());
        ps.setString(3, r.imageId());
        ps.setString(4, r.kind());
        ps.setString(5, r.description());
        ps.setLong(6, r.size());
        ps.setLong(7, r.created());
        ps.setLong(8, r.lastUsed());
        ps.setInt(9, r.usageCount());
        return ps.executeUpdate();
      }
    });
  }

  public Optional<CacheRow> find(String cacheKey) {
    List<CacheRow> rows = query("SELECT * FROM build_cache WHERE cache_key = ?", cacheKey);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  /** Counts a use of each entry (a key twice, twice), in one transaction: one WAL commit per build, not per step. */
  public void touchAll(List<String> cacheKeys, long now) {
    if (cacheKeys.isEmpty()) {
      return;
    }
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE build_cache SET last_used = ?, usage_count = usage_count + 1 WHERE cache_key = ?")) {
        for (String key : cacheKeys) {
          ps.setLong(1, now);
          ps.setString(2, key);
          ps.addBatch();
        }
        return ps.executeBatch().length;
      }
    });
  }

  public boolean delete(String cacheKey) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM build_cache WHERE cache_key = ?")) {
        ps.setString(1, cacheKey);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Whether any entry names {@code imageId} as its result. */
  public boolean hasImage(String imageId) {
    return !query("SELECT * FROM build_cache WHERE image_id = ? LIMIT 1", imageId).isEmpty();
  }

  /** All entries, oldest first. */
  public List<CacheRow> all() {
    return query("SELECT * FROM build_cache ORDER BY created, cache_key");
  }

  private List<CacheRow> query(String sql, String... args) {
    return store.read(c -> query(c, sql, args));
  }

  private static List<CacheRow> query(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<CacheRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new CacheRow(rs.getString("cache_key"), rs.getString("parent_id"), rs.getString("image_id"),
              rs.getString("kind"), rs.getString("description"), rs.getLong("size"), rs.getLong("created"),
              rs.getLong("last_used"), rs.getInt("usage_count")));
        }
      }
      return rows;
    }
  }
}
