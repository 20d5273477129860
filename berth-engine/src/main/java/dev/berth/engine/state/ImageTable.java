package dev.berth.engine.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The image tables. Plain strings and rows only, so this package depends on no other engine
 * package (the image package maps rows to its own types).
 */
public final class ImageTable {
  private final StateStore store;

  public ImageTable(StateStore store) {
    this.store = store;
  }

  /** One stored image. */
  public record ImageRow(String id, String manifestDigest, String manifestMediaType, String platform, long size,
      long storedAtMillis, List<LayerRow> layers) {
    public ImageRow {
      layers = List.copyOf(layers);
    }
  }

  /** One layer of an image, bottom first. */
  public record LayerRow(int position, String diffId, String chainId, String blobDigest, String blobMediaType,
      long blobSize) {}

  /** A tag or digest reference and the image it names. */
  public record RefRow(String reference, String imageId, long taggedAtMillis) {}

  /** Inserts the image unless one with its ID exists; true when inserted. */
  public boolean insert(ImageRow image) {
    return store.inTransaction(c -> insert(c, image));
  }

  /** Inserts the image (if new) and points {@code tags} and {@code digests} at it, in one transaction. */
  public void insertAndReference(ImageRow image, List<String> tags, List<String> digests, long nowMillis) {
    store.inTransaction(c -> {
      insert(c, image);
      for (String tag : tags) {
        tag(c, tag, image.id(), nowMillis);
      }
      for (String digest : digests) {
        addDigest(c, digest, image.id());
      }
      return null;
    });
  }

  private static boolean insert(Connection c, ImageRow image) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO images(id, manifest_digest, manifest_media_type, "
        + "platform, size, stored_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")) {
      ps.setString(1, image.id());
      ps.setString(2, image.manifestDigest());
      ps.setString(3, image.manifestMediaType());
      ps.setString(4, image.platform());
      ps.setLong(5, image.size());
      ps.setLong(6, image.storedAtMillis());
      if (ps.executeUpdate() == 0) {
        return false;
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_layers(image_id, position, diff_id, chain_id, "
        + "blob_digest, blob_media_type, blob_size) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (LayerRow l : image.layers()) {
        ps.setString(1, image.id());
        ps.setInt(2, l.position());
        ps.setString(3, l.diffId());
        ps.setString(4, l.chainId());
        ps.setString(5, l.blobDigest());
        ps.setString(6, l.blobMediaType());
        ps.setLong(7, l.blobSize());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return true;
  }

  /** Points {@code reference} (name:tag) at {@code imageId}; returns the image it pointed at before. */
  public Optional<String> tag(String reference, String imageId, long nowMillis) {
    return store.inTransaction(c -> tag(c, reference, imageId, nowMillis));
  }

  private static Optional<String> tag(Connection c, String reference, String imageId, long nowMillis)
      throws SQLException {
    Optional<String> before = lookup(c, "SELECT image_id FROM image_tags WHERE reference = ?", reference);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_tags(reference, image_id, tagged_at) "
        + "VALUES (?, ?, ?) ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id, "
        + "tagged_at = excluded.tagged_at")) {
      ps.setString(1, reference);
      ps.setString(2, imageId);
      ps.setLong(3, nowMillis);
      ps.executeUpdate();
    }
    return before;
  }

  public void addDigest(String reference, String imageId) {
    store.inTransaction(c -> {
      addDigest(c, reference, imageId);
      return null;
    });
  }

  private static void addDigest(Connection c, String reference, String imageId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_digests(reference, image_id) VALUES (?, ?) "
        + "ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id")) {
      ps.setString(1, reference);
      ps.setString(2, imageId);
      ps.executeUpdate();
    }
  }

  public boolean untag(String reference) {
    return store.inTransaction(c -> delete(c, "DELETE FROM image_tags WHERE reference = ?", reference) > 0);
  }

  public boolean removeDigest(String reference) {
    return store.inTransaction(c -> delete(c, "DELETE FROM image_digests WHERE reference = ?", reference) > 0);
  }

  /** Deletes the image row with its layers, tags and digests. */
  public boolean delete(String imageId) {
    return store.inTransaction(c -> delete(c, "DELETE FROM images WHERE id = ?", imageId) > 0);
  }

  public Optional<String> imageIdForTag(String reference) {
    return store.read(c -> lookup(c, "SELECT image_id FROM image_tags WHERE reference = ?", reference));
  }

  public Optional<String> imageIdForDigest(String reference) {
    return store.read(c -> lookup(c, "SELECT image_id FROM image_digests WHERE reference = ?", reference));
  }

  /** Image IDs starting with {@code hexPrefix} (after "sha256:"). */
  public List<String> idsWithPrefix(String hexPrefix) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM images WHERE substr(id, 8) LIKE ? ESCAPE '\\'")) {
        ps.setString(1, hexPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
        return ids;
      }
    });
  }

  public Optional<ImageRow> find(String imageId) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, manifest_digest, manifest_media_type, platform, "
          + "size, stored_at FROM images WHERE id = ?")) {
        ps.setString(1, imageId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(c, rs)) : Optional.empty();
        }
      }
    });
  }

  public List<ImageRow> all() {
    return store.read(c -> {
      List<ImageRow> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, manifest_digest, manifest_media_type, platform, "
          + "size, stored_at FROM images ORDER BY stored_at DESC, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row(c, rs));
        }
      }
      return rows;
    });
  }

  public List<RefRow> tagsOf(String imageId) {
    return refs("SELECT reference, image_id, tagged_at FROM image_tags WHERE image_id = ? ORDER BY reference", imageId);
  }

  public List<RefRow> digestsOf(String imageId) {
    return refs("SELECT reference, image_id, 0 FROM image_digests WHERE image_id = ? ORDER BY reference", imageId);
  }

  /** How many images are stored. */
  public int count() {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM images");
          ResultSet rs = ps.executeQuery()) {
        return rs.getInt(1);
      }
    });
  }

  /** How many images use the unpacked layer {@code chainId}. */
  public int imagesUsingChain(String chainId) {
    return count("SELECT count(DISTINCT image_id) FROM image_layers WHERE chain_id = ?", chainId);
  }

  /** How many images reference the blob {@code digest} as a layer. */
  public int imagesUsingBlob(String digest) {
    return count("SELECT count(DISTINCT image_id) FROM image_layers WHERE blob_digest = ?", digest);
  }

  /** How many images came from the manifest {@code digest}. */
  public int imagesWithManifest(String digest) {
    return count("SELECT count(*) FROM images WHERE manifest_digest = ?", digest);
  }

  private int count(String sql, String arg) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, arg);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.getInt(1);
        }
      }
    });
  }

  private List<RefRow> refs(String sql, String imageId) {
    return store.read(c -> {
      List<RefRow> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, imageId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new RefRow(rs.getString(1), rs.getString(2), rs.getLong(3)));
          }
        }
      }
      return rows;
    });
  }

  private static ImageRow row(Connection c, ResultSet rs) throws SQLException {
    String id = rs.getString(1);
    List<LayerRow> layers = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT position, diff_id, chain_id, blob_digest, blob_media_type, "
        + "blob_size FROM image_layers WHERE image_id = ? ORDER BY position")) {
      ps.setString(1, id);
      try (ResultSet l = ps.executeQuery()) {
        while (l.next()) {
          layers.add(new LayerRow(l.getInt(1), l.getString(2), l.getString(3), l.getString(4), l.getString(5),
              l.getLong(6)));
        }
      }
    }
    return new ImageRow(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6), layers);
  }

  private static Optional<String> lookup(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static int delete(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      return ps.executeUpdate();
    }
  }
}
