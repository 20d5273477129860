-- Networks: one row each, the settings as JSON (the engine's NetworkConfig).
CREATE TABLE networks (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created     INTEGER NOT NULL,
  config_json TEXT NOT NULL
);
-- A container's membership of a network (aliases, requested address) and, while it is attached,
-- what CNI gave it (address, MAC, gateway); attached_json is '' when it is not attached.
CREATE TABLE network_endpoints (
  container_id  TEXT NOT NULL,
  network_id    TEXT NOT NULL REFERENCES networks(id),
  settings_json TEXT NOT NULL,
  attached_json TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (container_id, network_id)
);
CREATE INDEX network_endpoints_network ON network_endpoints(network_id);
-- The host ports a running container publishes (chosen ones included), so they survive a restart of berthd.
CREATE TABLE container_ports (
  container_id TEXT PRIMARY KEY,
  ports_json   TEXT NOT NULL
);
