-- Virtual machines run by QEMU. config is the VM's validated configuration as JSON (owned by
-- the vm package); state is created|running|paused|stopped; pid is QEMU's while it runs.
CREATE TABLE vms (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created    TEXT NOT NULL,
  config     TEXT NOT NULL,
  state      TEXT NOT NULL,
  pid        INTEGER,
  accel      TEXT,
  started_at TEXT,
  stopped_at TEXT
);
