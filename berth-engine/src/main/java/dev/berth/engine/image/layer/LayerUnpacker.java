package dev.berth.engine.image.layer;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.LinuxFs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer blob (tar, gzip or zstd) into a directory in the form an overlayfs lowerdir
 * takes, computing its diff ID on the way.
 *
 * <p>All or nothing: the layer is written into {@code <target>.tmp-<random>} and renamed to
 * {@code target} only when every entry is in and the diff ID checks out; on any failure the
 * temp dir is removed. A layer's content is refused (BerthException.InvalidArgument, naming the
 * entry) when it would write outside the target; host I/O failures are IOExceptions.
 *
 * <p>Without root, ownership is not applied, device nodes and trusted.* and security.* xattrs are
 * skipped with a warning (as Docker and containerd do rootless), and opaque dirs fail, since
 * overlayfs reads them from a trusted.* xattr.
 */
public final class LayerUnpacker {

  /** Default cap on a layer's uncompressed size; the largest real layers (CUDA, ML) are ~20 GiB. */
  public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 64L << 30;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final long maxUncompressedBytes;
  private final boolean privileged;

  public LayerUnpacker() {
    this(DEFAULT_MAX_UNCOMPRESSED_BYTES);
  }

  /** @param maxUncompressedBytes the uncompressed tar size past which a layer is refused as a bomb */
  public LayerUnpacker(long maxUncompressedBytes) {
    this(maxUncompressedBytes, LinuxFs.geteuid() == 0);
  }

  /** Tests use this to check the rootless behaviour whichever user runs them. */
  LayerUnpacker(long maxUncompressedBytes, boolean privileged) {
    if (maxUncompressedBytes <= 0) {
      throw new IllegalArgumentException("maxUncompressedBytes must be positive: " + maxUncompressedBytes);
    }
    this.maxUncompressedBytes = maxUncompressedBytes;
    this.privileged = privileged;
  }

  /** Unpacks without checking the diff ID; the caller compares {@link UnpackResult#diffId()}. */
  public UnpackResult unpack(InputStream blob, String mediaType, Path target) throws IOException {
    return unpack(blob, mediaType, target, null);
  }

  /** Unpacks from a file. */
  public UnpackResult unpack(Path blob, String mediaType, Path target, String expectedDiffId)
      throws IOException {
    try (InputStream in = Files.newInputStream(blob)) {
      return unpack(in, mediaType, target, expectedDiffId);
    }
  }

  /**
   * Unpacks {@code blob} into {@code target}, which must not exist yet; its parent must.
   *
   * @param mediaType the layer's media type from the manifest, or null; the magic bytes decide
   *     the compression either way
   * @param expectedDiffId "sha256:..." from the image config's rootfs.diff_ids, or null
   * @throws BerthException.InvalidArgument the layer is unsafe, corrupt, truncated, too large,
   *     or its diff ID differs from {@code expectedDiffId}; nothing is left at {@code target}
   * @throws BerthException.Conflict {@code target} already exists
   */
  public UnpackResult unpack(InputStream blob, String mediaType, Path target, String expectedDiffId)
      throws IOException {
    Compression.requireLayerMediaType(mediaType);
    if (expectedDiffId != null) {
      Digests.requireSha256(expectedDiffId, "expected diff ID");
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new BerthException.Conflict("layer directory " + target + " already exists; remove it first");
    }
    Path temp = target.resolveSibling(target.getFileName() + ".tmp-" + randomSuffix());
    Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      UnpackResult result = unpackInto(blob, temp, expectedDiffId);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return result;
    } catch (IOException | RuntimeException | Error e) {
      FileTrees.deleteQuietly(temp, e);
      throw e;
    }
  }

  private UnpackResult unpackInto(InputStream blob, Path dir, String expectedDiffId) throws IOException {
    MeasuredStream tarBytes;
    long entries = 0;
    String current = null;
    try {
      BufferedInputStream buffered = new BufferedInputStream(blob, 64 * 1024);
      Compression compression = Compression.sniff(buffered);
      tarBytes = new MeasuredStream(decompress(compression, buffered), maxUncompressedBytes);
      // Not closed: closing would close the caller's stream, which the caller owns.
      TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes);
      LayerWriter writer = new LayerWriter(dir, privileged);
      LinuxFs.chmod(dir, 0755); // the root's mode unless the layer has a "./" entry
      TarArchiveEntry entry;
      while ((entry = nextEntry(tar, current)) != null) {
        current = entry.getName();
        entries++;
        writer.write(entry, tar);
      }
      current = null;
      writer.finish();
      drain(tarBytes);
    } catch (MeasuredStream.LimitExceededException e) {
      throw new BerthException.InvalidArgument("layer refused"
          + (current != null ? " at entry '" + current + "'" : "")
          + ": its uncompressed size exceeds the limit of " + maxUncompressedBytes
          + " bytes (a decompression bomb, or raise the limit)", e);
    } catch (LayerWriter.CorruptLayerException e) {
      throw new BerthException.InvalidArgument("layer is truncated or corrupt: " + e.getMessage(), e);
    }
    String diffId = tarBytes.digest();
    if (expectedDiffId != null && !expectedDiffId.equals(diffId)) {
      throw new BerthException.InvalidArgument("layer diff ID is " + diffId + " but the image config says "
          + expectedDiffId + "; the blob is not the layer the image describes (pull it again)");
    }
    // Flush once for the whole tree, so a crash after the rename cannot expose a hollow layer.
    LinuxFs.syncfs(dir);
    return new UnpackResult(diffId, tarBytes.count(), entries);
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String previous) throws IOException {
    TarArchiveEntry entry;
    try {
      entry = tar.getNextEntry();
    } catch (MeasuredStream.LimitExceededException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      // commons-compress reports bad headers as either
      throw new LayerWriter.CorruptLayerException(previous == null
          ? "reading the first entry" : "reading the entry after '" + previous + "'",
          e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
    String problem = entry == null ? null : dev.berth.engine.filesystem.TarHeaders.nameProblem(entry.getName());
    if (problem != null) { // else ENAMETOOLONG at creation, a 500 (found by ApiFuzzIT)
      throw new BerthException.InvalidArgument("layer refused: entry '"
          + entry.getName().substring(0, Math.min(80, entry.getName().length())) + "' " + problem);
    }
    return entry;
  }

  private static InputStream decompress(Compression compression, InputStream in) throws IOException {
    try {
      return compression.decompress(in);
    } catch (IOException e) {
      throw new LayerWriter.CorruptLayerException("reading the " + compression + " header", e);
    }
  }

  private static void drain(MeasuredStream tarBytes) throws IOException {
    try {
      tarBytes.drain();
    } catch (MeasuredStream.LimitExceededException e) {
      throw e;
    } catch (IOException e) {
      throw new LayerWriter.CorruptLayerException("reading past the end of the tar", e);
    }
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
