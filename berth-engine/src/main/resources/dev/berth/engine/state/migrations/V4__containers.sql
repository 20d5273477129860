-- Containers: one row each; the create options as JSON (the engine's ContainerConfig), the
-- lifecycle as columns so list filters and reconcile need no JSON parsing.
CREATE TABLE containers (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  image_id      TEXT NOT NULL,
  image_ref     TEXT NOT NULL,
  created       INTEGER NOT NULL,
  config_json   TEXT NOT NULL,
  status        TEXT NOT NULL,
  pid           INTEGER NOT NULL DEFAULT 0,
  exit_code     INTEGER NOT NULL DEFAULT 0,
  started_at    INTEGER NOT NULL DEFAULT 0,
  finished_at   INTEGER NOT NULL DEFAULT 0,
  oom_killed    INTEGER NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT '',
  restart_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX containers_image ON containers(image_id);
