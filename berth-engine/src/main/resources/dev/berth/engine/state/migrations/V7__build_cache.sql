-- The builder's step cache: a step's key (its parent image, instruction, build args read and
-- source content) names the image that step made. The images themselves are ordinary rows.
CREATE TABLE build_cache (
  cache_key   TEXT PRIMARY KEY,
  parent_id   TEXT NOT NULL,
  image_id    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  description TEXT NOT NULL,
  size        INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  last_used   INTEGER NOT NULL,
  usage_count INTEGER NOT NULL
);
CREATE INDEX build_cache_image ON build_cache(image_id);
