package dev.berth.engine.state;

/**
 * One step of the schema: applied once, in order of {@code version}, inside a transaction.
 *
 * @param version the schema version this step brings the database to (1, 2, ...)
 * @param name a short description, from the resource file name
 * @param sql the statements, separated by semicolons at line ends
 */
public record Migration(int version, String name, String sql) {
  public Migration {
    if (version < 1) {
      throw new IllegalArgumentException("migration version must be >= 1, got " + version);
    }
  }
}
