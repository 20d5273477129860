-- Facts about this daemon installation, such as its stable ID (shown by `info`).
CREATE TABLE daemon_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
