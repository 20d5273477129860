-- Restart and health supervision: whether the user stopped the container by hand (stop, kill:
-- an unless-stopped container then stays stopped, across berthd restarts too) and its last
-- health state (State.Health as JSON, '' when it has no healthcheck), so checks carry on after
-- a berthd restart.
ALTER TABLE containers ADD COLUMN manually_stopped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN health_json TEXT NOT NULL DEFAULT '';
