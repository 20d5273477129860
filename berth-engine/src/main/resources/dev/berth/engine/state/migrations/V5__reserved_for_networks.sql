-- Placeholder: version 5 belongs to the networks branch, which lands beside this one. It lets
-- the volumes migration (V6) apply on this branch alone; delete this file and its index line
-- when the networks branch's V5 is merged.
SELECT 1;
