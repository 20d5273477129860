package dev.berth.engine.filesystem;

import dev.berth.engine.BerthException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * A build context as a client uploads it: a tar (plain, gzip, bzip2 or xz, told apart by their
 * magic bytes, as Docker's {@code DecompressStream} does) or, when the bytes are no tar, a bare
 * Dockerfile. The tar is kept and indexed ({@link ContextIndex}); when extracted, every name
 * and link stays contained in a fresh directory ({@link TarExtractor#filesOnly}: no device
 * nodes); the caller closes the {@link BuildContext} once the build is over.
 */
public final class ContextArchive {
  private static final int TAR_HEADER = 512;
  /** A context up to this size stays in memory; a larger one is spooled to a file beside its directory. */
  static final int IN_MEMORY_LIMIT = 8 * 1024 * 1024;

  private ContextArchive() {}

  private static InputStream decompressed(BufferedInputStream in) throws IOException {
    String format;
    try {
      format = CompressorStreamFactory.detect(in);
    } catch (CompressorException notCompressed) {
      return in;
    }
    if (!format.equals(CompressorStreamFactory.GZIP) && !format.equals(CompressorStreamFactory.BZIP2)
        && !format.equals(CompressorStreamFactory.XZ)) {
      return in; // Docker takes gzip, bzip2 and xz; anything else is read as it is
    }
    try {
      return new BufferedInputStream(new CompressorStreamFactory().createCompressorInputStream(format, in),
          64 * 1024);
    } catch (CompressorException e) {
      throw new BerthException.InvalidArgument("the build context is not a valid " + format + " stream: "
          + e.getMessage());
    }
  }

  /**
   * Receives {@code body} for a build: a tar is kept (in memory, or spooled to one file under
   * {@code scratch} when large) and indexed as it arrives, not extracted (the build extracts it when a step needs the files); a tar the index
   * cannot describe is extracted at once, as is a bare Dockerfile (written as
   * {@code dockerfileName}). Nothing is left behind on failure.
   */
  public static BuildContext receive(InputStream body, Path scratch, String dockerfileName) throws IOException {
    Files.createDirectories(scratch);
    Path dir = Files.createTempDirectory(scratch, "build-context-");
    Path spool = dir.resolveSibling(dir.getFileName() + ".tar");
    SpooledBytes bytes = new SpooledBytes(spool, IN_MEMORY_LIMIT);
    ContextIndex index = null;
    try {
      InputStream in = decompressed(new BufferedInputStream(body, 64 * 1024));
      in.mark(TAR_HEADER);
      byte[] head = in.readNBytes(TAR_HEADER);
      in.reset();
      if (head.length == TAR_HEADER && TarArchiveInputStream.matches(head, head.length)) {
        index = ContextIndex.receive(in, dir, bytes).orElse(null);
        if (index == null) {
          try (InputStream tar = bytes.open()) {
            TarExtractor.filesOnly(dir).extract(tar);
          }
          bytes.close();
          return BuildContext.extracted(dir);
        }
        return BuildContext.spooled(dir, spool, index);
      }
      bytes.close();
      Path dockerfile = RootfsPath.resolve(dir, dockerfileName.isEmpty() ? "Dockerfile" : dockerfileName, false);
      Files.createDirectories(dockerfile.getParent());
      try (OutputStream out = Files.newOutputStream(dockerfile)) {
        in.transferTo(out);
      }
      return BuildContext.extracted(dir);
    } catch (IOException | RuntimeException e) {
      bytes.close();
      delete(dir);
      throw e;
    }
  }

  /** Removes an unpacked context; quietly, as it is clean-up after a build. */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // the scratch dir is emptied at the next start anyway
    }
  }
}
