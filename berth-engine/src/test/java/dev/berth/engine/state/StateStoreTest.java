package dev.berth.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir
  Path dir;

  private static final Migration ONE = new Migration(1, "one", "CREATE TABLE daemon_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
  private static final Migration TWO = new Migration(2, "two",
      "CREATE TABLE things (id TEXT PRIMARY KEY);\n-- a comment line\nINSERT INTO things VALUES ('a');\n");

  private static int count(StateStore store, String sql) {
    return store.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        return rs.getInt(1);
      }
    });
  }

  @Test
  void builtInMigrationsApplyInWalMode() {
    try (StateStore store = StateStore.open(dir.resolve("berth.db"))) {
      assertThat(store.schemaVersion()).isEqualTo(Migrations.builtIn().size());
      assertThat(store.journalMode()).isEqualTo("wal");
    }
  }

  @Test
  void migrationsApplyOnceAndPendingOnesOnReopen() {
    Path db = dir.resolve("berth.db");
    try (StateStore store = StateStore.open(db, List.of(ONE))) {
      assertThat(store.schemaVersion()).isEqualTo(1);
      store.metaIfAbsent("daemon_id", "abc");
    }
    try (StateStore store = StateStore.open(db, List.of(ONE, TWO))) {
      assertThat(store.schemaVersion()).isEqualTo(2);
      assertThat(count(store, "SELECT count(*) FROM things")).isEqualTo(1);
      assertThat(store.meta("daemon_id")).contains("abc");
    }
    try (StateStore store = StateStore.open(db, List.of(ONE, TWO))) {
      // Not applied twice: the insert would have made two rows.
      assertThat(count(store, "SELECT count(*) FROM things")).isEqualTo(1);
    }
  }

  @Test
  void aFailingMigrationRollsBackWhole() {
    Path db = dir.resolve("berth.db");
    Migration broken = new Migration(2, "broken", "CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;\n");
    assertThatThrownBy(() -> StateStore.open(db, List.of(ONE, broken))).isInstanceOf(StateException.class);
    try (StateStore store = StateStore.open(db, List.of(ONE))) {
      assertThat(store.schemaVersion()).isEqualTo(1);
      assertThat(count(store, "SELECT count(*) FROM sqlite_master WHERE name = 'half'")).isZero();
    }
  }

  @Test
  void aDatabaseFromANewerBerthIsRefused() {
    Path db = dir.resolve("berth.db");
    StateStore.open(db, List.of(ONE, TWO)).close();
    assertThatThrownBy(() -> StateStore.open(db, List.of(ONE)))
        .isInstanceOf(StateException.class).hasMessageContaining("newer than this berthd knows");
  }

  @Test
  void metaIfAbsentKeepsTheFirstValue() {
    try (StateStore store = StateStore.open(dir.resolve("berth.db"))) {
      assertThat(store.metaIfAbsent("k", "first")).isEqualTo("first");
      assertThat(store.metaIfAbsent("k", "second")).isEqualTo("first");
    }
  }

  @Test
  void migrationVersionsMustHaveNoGaps() {
    assertThatThrownBy(() -> Migrations.checkSequence(List.of(ONE, new Migration(3, "three", "SELECT 1;"))))
        .hasMessageContaining("without gaps");
  }

  @Test
  void scriptsSplitAtStatementEndsAndSkipComments() {
    assertThat(StateStore.statements("-- header\nCREATE TABLE a (x TEXT);\n\nINSERT INTO a VALUES ('x;y');\n"))
        .containsExactly("-- header\nCREATE TABLE a (x TEXT)", "INSERT INTO a VALUES ('x;y')");
  }
}
