package dev.berth.engine.image.layer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked layers under {@code <data-root>/layers/<chain-hex>/}, each unpacked once:
 * {@code diff/} is the overlayfs lowerdir, {@code layer.json} says what it is.
 *
 * <p>A layer directory appears by one rename of a complete temp dir ({@code <hex>.tmp-*}), and
 * goes by a rename to a temp name before it is deleted, so a crash leaves either a whole layer
 * or a temp dir that {@link #open} removes. Callers for the same chain ID are serialized in
 * this process; one berthd owns a data-root.
 */
public final class LayerStore {
  private static final Logger LOG = LoggerFactory.getLogger(LayerStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String TEMP_MARK = ".tmp-";
  private static final String METADATA = "layer.json";
  private static final String DIFF = "diff";

  /**
   * Opens the layer blob when it must be unpacked; the store reads it to its end and closes it.
   * The stream may store the blob as it is read ({@code ContentStore.readThrough}).
   */
  @FunctionalInterface
  public interface BlobSource {
    InputStream open() throws IOException;
  }

  /** What layer.json holds. */
  record Metadata(String chainId, String diffId, String parentChainId, long size) {}

  private final Path layersDir;
  private final LayerUnpacker unpacker;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  private LayerStore(Path layersDir, LayerUnpacker unpacker) {
    this.layersDir = layersDir;
    this.unpacker = unpacker;
  }

  /** Opens (creating if needed) the store under {@code dataRoot} and removes leftover temp dirs. */
  public static LayerStore open(Path dataRoot, LayerUnpacker unpacker) throws IOException {
    Path layersDir = dataRoot.resolve("layers");
    Files.createDirectories(layersDir);
    try (DirectoryStream<Path> children = Files.newDirectoryStream(layersDir)) {
      for (Path child : children) {
        if (child.getFileName().toString().contains(TEMP_MARK)) {
          LOG.info("removing unfinished layer dir {}", child);
          FileTrees.deleteRecursively(child);
        }
      }
    }
    return new LayerStore(layersDir, unpacker);
  }

  public boolean exists(String chainId) {
    return Files.isDirectory(layerDir(chainId), LinkOption.NOFOLLOW_LINKS);
  }

  /** The unpacked directory of {@code chainId}, for use as an overlayfs lowerdir. */
  public Path diffDir(String chainId) {
    requireExists(chainId);
    return layerDir(chainId).resolve(DIFF);
  }

  /** The stored layer {@code chainId}. */
  public Layer get(String chainId) throws IOException {
    requireExists(chainId);
    Metadata m = JSON.readValue(layerDir(chainId).resolve(METADATA).toFile(), Metadata.class);
    return new Layer(m.chainId(), m.diffId(), m.parentChainId(), m.size(), layerDir(chainId).resolve(DIFF));
  }

  /**
   * The layer with diff ID {@code diffId} on top of chain {@code parentChainId} (null for a base
   * layer), unpacking {@code blob} only if it is not stored yet. A second caller for the same
   * chain waits for the first and then finds the layer. The parent need not be stored: in
   * overlay form each layer is unpacked alone, so layers of one image may be unpacked in parallel.
   *
   * @throws BerthException.InvalidArgument the blob is unsafe, corrupt or not {@code diffId}
   */
  public Layer ensure(String parentChainId, String diffId, String mediaType, BlobSource blob)
      throws IOException {
    String chainId = ChainIds.next(parentChainId, diffId);
    ReentrantLock lock = locks.computeIfAbsent(chainId, k -> new ReentrantLock());
    lock.lock();
    try {
      if (exists(chainId)) {
        return get(chainId);
      }
      Path temp = layersDir.resolve(Digests.hex(chainId) + TEMP_MARK + randomSuffix());
      Files.createDirectory(temp);
      try {
        UnpackResult result;
        try (InputStream in = blob.open()) {
          result = unpacker.unpack(in, mediaType, temp.resolve(DIFF), diffId);
          // Read to the blob's end: a blob stored while it is read is checked against its
          // digest there, and the layer must not appear before that check.
          in.transferTo(OutputStream.nullOutputStream());
        }
        Metadata metadata = new Metadata(chainId, result.diffId(), parentChainId, result.uncompressedSize());
        writeAtomically(temp.resolve(METADATA), JSON.writeValueAsBytes(metadata));
        fsync(temp);
        Files.move(temp, layerDir(chainId), StandardCopyOption.ATOMIC_MOVE);
        fsync(layersDir);
      } catch (IOException | RuntimeException | Error e) {
        FileTrees.deleteQuietly(temp, e);
        throw e;
      }
      LOG.info("unpacked layer {}", Digests.hex(chainId).substring(0, 12));
      return get(chainId);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the stored layer {@code chainId}. The store does not know which images or
   * containers use a layer: callers (image removal, GC) decide that it is unused.
   */
  public void remove(String chainId) throws IOException {
    ReentrantLock lock = locks.computeIfAbsent(chainId, k -> new ReentrantLock());
    lock.lock();
    try {
      requireExists(chainId);
      Path doomed = layersDir.resolve(Digests.hex(chainId) + TEMP_MARK + "rm-" + randomSuffix());
      Files.move(layerDir(chainId), doomed, StandardCopyOption.ATOMIC_MOVE);
      FileTrees.deleteRecursively(doomed);
      // the copies --userns-remap made of it go with it (decision 2000)
      dev.berth.engine.userns.ShiftedLayers.removeCopies(layersDir.getParent(), chainId);
    } finally {
      // The lock stays in the map: dropping it could let a waiter and a newcomer hold
      // different locks for the same chain. One small object per layer ever seen.
      lock.unlock();
    }
  }

  private void requireExists(String chainId) {
    if (!exists(chainId)) {
      throw new BerthException.NotFound("layer " + chainId + " is not unpacked; pull the image again");
    }
  }

  private Path layerDir(String chainId) {
    return layersDir.resolve(Digests.hex(Digests.requireSha256(chainId, "chain ID")));
  }

  private static void writeAtomically(Path file, byte[] content) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + TEMP_MARK + randomSuffix());
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(content));
      ch.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
