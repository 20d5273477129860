package dev.berth.engine.userns;

import dev.berth.engine.BerthException;
import dev.berth.engine.sys.LinuxFs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image layers with their owners shifted into a remapping, for the lowerdirs of remapped
 * containers: {@code <data-root>/<uid>.<gid>/layers/<chain-hex>/diff} (dockerd's directory
 * name). runc 1.1 has no idmapped mounts, so each layer is copied once per remapping, at the
 * first start that needs it; the shared layer under {@code <data-root>/layers} is only read.
 * A copy appears by one rename, so a crash leaves a temp dir that {@link #open} removes.
 * Decision 2000.
 */
public final class ShiftedLayers {
  private static final Logger LOG = LoggerFactory.getLogger(ShiftedLayers.class);
  private static final Pattern REMAP_DIR = Pattern.compile("[0-9]+\\.[0-9]+");
  private static final String TEMP_MARK = ".tmp-";

  private final Path layersDir;
  private final Remapping remapping;
  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  private ShiftedLayers(Path layersDir, Remapping remapping) {
    this.layersDir = layersDir;
    this.remapping = remapping;
  }

  /** The copies of {@code remapping} under {@code dataRoot}; leftovers of an interrupted copy are removed. */
  public static ShiftedLayers open(Path dataRoot, Remapping remapping) {
    Path remapDir = dataRoot.resolve(remapping.dirName());
    Path layers = remapDir.resolve("layers");
    try {
      Files.createDirectories(layers);
      Files.setPosixFilePermissions(remapDir, PosixFilePermissions.fromString("rwx------"));
      try (DirectoryStream<Path> children = Files.newDirectoryStream(layers)) {
        for (Path child : children) {
          if (child.getFileName().toString().contains(TEMP_MARK)) {
            deleteTree(child);
          }
        }
      }
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot prepare " + layers + " for --userns-remap: " + e.getMessage(), e);
    }
    return new ShiftedLayers(layers, remapping);
  }

  /**
   * The shifted copy of layer {@code chainId} whose unshifted files are {@code unshifted}, made
   * now if it does not exist yet.
   */
  public Path diffDir(String chainId, Path unshifted) {
    String hex = hex(chainId);
    Path dir = layersDir.resolve(hex);
    ReentrantLock lock = locks.computeIfAbsent(hex, k -> new ReentrantLock());
    lock.lock();
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        long t0 = System.nanoTime();
        Path temp = layersDir.resolve(hex + TEMP_MARK + Long.toHexString(System.nanoTime()));
        try {
          Files.createDirectory(temp);
          copy(unshifted, temp.resolve("diff"));
          shift(unshifted, temp.resolve("diff"));
          Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
          deleteQuietly(temp);
          throw new BerthException("cannot make the layer " + hex.substring(0, 12) + " for the remapping "
              + remapping.dirName() + ": " + e.getMessage(), e);
        }
        LOG.info("layer {} shifted into {} ({} ms)", hex.substring(0, 12), remapping.dirName(),
            (System.nanoTime() - t0) / 1_000_000);
      }
      return dir.resolve("diff");
    } finally {
      lock.unlock();
    }
  }

  /** Removes every remapping's copy of {@code chainId} (the image that held the layer is gone). */
  public static void removeCopies(Path dataRoot, String chainId) throws IOException {
    String hex = hex(chainId);
    if (!Files.isDirectory(dataRoot)) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dataRoot,
        p -> REMAP_DIR.matcher(p.getFileName().toString()).matches())) {
      for (Path remapDir : children) {
        Path copy = remapDir.resolve("layers").resolve(hex);
        if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
          Path doomed = copy.resolveSibling(hex + TEMP_MARK + "rm");
          Files.move(copy, doomed, StandardCopyOption.ATOMIC_MOVE);
          deleteTree(doomed);
        }
      }
    }
  }

  /** cp -a: modes, times, xattrs (overlay's opaque marks), hard links and whiteout devices as they are. */
  private static void copy(Path from, Path to) throws IOException {
    Process p = new ProcessBuilder("cp", "-a", "--no-target-directory", from.toString(), to.toString())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("cp -a failed: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while copying " + from);
    }
  }

  /**
   * Each copied file gets its source's owner moved into the remapping. Read from the source, so a
   * hard-linked inode met twice is not shifted twice; set-id bits, which chown clears, are put back.
   */
  private void shift(Path source, Path copy) throws IOException {
    Files.walkFileTree(copy, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        shiftOne(source.resolve(copy.relativize(dir).toString()), dir);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        shiftOne(source.resolve(copy.relativize(file).toString()), file);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private void shiftOne(Path source, Path target) throws IOException {
    int uid = (Integer) Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int gid = (Integer) Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    LinuxFs.lchown(target, remapping.hostUid(Integer.toUnsignedLong(uid)), remapping.hostGid(Integer.toUnsignedLong(gid)));
    if ((mode & 06000) != 0 && !Files.isSymbolicLink(target)) {
      LinuxFs.chmod(target, mode);
    }
  }

  private static String hex(String chainId) {
    String hex = chainId.startsWith("sha256:") ? chainId.substring(7) : chainId;
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 chain ID: " + chainId);
    }
    return hex;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", dir, e.getMessage());
    }
  }
}
