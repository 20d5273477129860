-- Volumes of the local driver: one row each; the data lives in <data-root>/volumes/<name>/_data.
-- Which containers use a volume is read from the containers' configs, not stored twice.
CREATE TABLE volumes (
  name          TEXT PRIMARY KEY,
  driver        TEXT NOT NULL,
  created       INTEGER NOT NULL,
  labels_json   TEXT NOT NULL DEFAULT '{}',
  options_json  TEXT NOT NULL DEFAULT '{}'
);
