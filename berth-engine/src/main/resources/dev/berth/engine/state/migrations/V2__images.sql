-- Images: one row per image (its ID is the digest of its config, as in Docker).
CREATE TABLE images (
  id                  TEXT PRIMARY KEY,
  manifest_digest     TEXT,
  manifest_media_type TEXT,
  platform            TEXT NOT NULL,
  size                INTEGER NOT NULL,
  stored_at           INTEGER NOT NULL
);

-- The image's layers, bottom first: the diff ID (uncompressed), the chain ID that keys the
-- unpacked layer, and the blob kept in the content store (for push and save).
CREATE TABLE image_layers (
  image_id        TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  diff_id         TEXT NOT NULL,
  chain_id        TEXT NOT NULL,
  blob_digest     TEXT NOT NULL,
  blob_media_type TEXT NOT NULL,
  blob_size       INTEGER NOT NULL,
  PRIMARY KEY (image_id, position)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE INDEX image_layers_blob ON image_layers(blob_digest);

-- name:tag -> image (RepoTags). A tag points at one image; re-tagging moves it.
CREATE TABLE image_tags (
  reference TEXT PRIMARY KEY,
  image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  tagged_at INTEGER NOT NULL
);
CREATE INDEX image_tags_image ON image_tags(image_id);

-- name@digest -> image (RepoDigests): where the image was pulled from or pushed to.
CREATE TABLE image_digests (
  reference TEXT PRIMARY KEY,
  image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX image_digests_image ON image_digests(image_id);
