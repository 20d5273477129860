package dev.berth.engine.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Berth's durable state in SQLite: the one place that owns SQL. Opens the database in WAL
 * mode, applies pending migrations at start, and hands out short transactions.
 *
 * <p>One connection, used under a lock: SQLite serialises writers anyway, and Berth's state
 * changes are small, so a pool would only add memory.
 */
public final class StateStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateStore.class);

  private final Path file;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();

  private StateStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens (creating if needed) {@code file} and applies the built-in migrations. */
  public static StateStore open(Path file) {
    return open(file, Migrations.builtIn());
  }

  /** Opens {@code file} and brings its schema up to the last of {@code migrations}. */
  public static StateStore open(Path file, List<Migration> migrations) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // NORMAL with WAL: a commit survives a crash of berthd (the WAL is written before the
      // commit returns) without an fsync per commit, which cost 3-15 ms on each step of a
      // container's life here. A power cut may roll back the last commits; the database stays
      // consistent, blobs and layers are fsynced on their own, and reconcile() squares container
      // rows with what is on disk.
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.enforceForeignKeys(true);
      config.setBusyTimeout(10_000);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      StateStore store = new StateStore(file, c);
      store.migrate(migrations);
      return store;
    } catch (SQLException | java.io.IOException e) {
      throw new StateException("cannot open the state database " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** The schema version the database is at (PRAGMA user_version). */
  public int schemaVersion() {
    return read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        return rs.getInt(1);
      }
    });
  }

  /** SQLite's journal mode, for diagnostics ("wal" when healthy). */
  public String journalMode() {
    return read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        return rs.getString(1);
      }
    });
  }

  private void migrate(List<Migration> migrations) throws SQLException {
    int current = schemaVersion();
    int latest = migrations.isEmpty() ? 0 : migrations.getLast().version();
    if (current > latest) {
      throw new StateException("the state database " + file + " has schema version " + current
          + ", newer than this berthd knows (" + latest + "); run a newer berthd", null);
    }
    for (Migration m : migrations) {
      if (m.version() <= current) {
        continue;
      }
      inTransaction(c -> {
        try (Statement s = c.createStatement()) {
          for (String statement : statements(m.sql())) {
            s.execute(statement);
          }
          // PRAGMA takes no bind parameters; the version is an int we control.
          s.execute("PRAGMA user_version = " + m.version());
        }
        return null;
      });
      log.info("state database {}: applied migration {} ({})", file, m.version(), m.name());
    }
  }

  /** Splits a migration script at semicolons that end a line; our scripts keep to that. */
  static List<String> statements(String sql) {
    return java.util.Arrays.stream(sql.split(";\\s*(\\r?\\n|$)"))
        .map(String::strip)
        .filter(s -> !s.isEmpty() && !s.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--")))
        .toList();
  }

  /** Work done on the connection; may throw SQLException. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed when it returns, rolled back if it throws. */
  public <T> T inTransaction(Work<T> work) {
    lock.lock();
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StateException("state database " + file + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** Runs a read outside an explicit transaction. */
  public <T> T read(Work<T> work) {
    lock.lock();
    try {
      return work.apply(connection);
    } catch (SQLException e) {
      throw new StateException("state database " + file + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** A value from the daemon's key/value table. */
  public Optional<String> meta(String key) {
    return read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM daemon_meta WHERE key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /** Returns the stored value for {@code key}, storing {@code value} first if there is none. */
  public String metaIfAbsent(String key, String value) {
    return inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO daemon_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING")) {
        ps.setString(1, key);
        ps.setString(2, value);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM daemon_meta WHERE key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("closing state database {}: {}", file, e.getMessage());
    } finally {
      lock.unlock();
    }
  }
}
