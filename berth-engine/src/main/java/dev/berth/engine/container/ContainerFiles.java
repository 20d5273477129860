package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.filesystem.OverlayChanges;
import dev.berth.engine.filesystem.PathStat;
import dev.berth.engine.filesystem.RootfsPath;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import dev.berth.engine.filesystem.TarExtractor;
import dev.berth.engine.filesystem.TreeTar;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.runtime.spec.User;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Files of a container, running or not: stat and tar of a path ({@code docker cp} from it),
 * extracting a tar into it ({@code docker cp} to it), the whole rootfs as a tar ({@code export})
 * and its changes against the image ({@code diff}). Paths resolve inside the rootfs only.
 */
public final class ContainerFiles {
  private final ContainerService containers;
  private final ImageService images;

  public ContainerFiles(ContainerService containers, ImageService images) {
    this.containers = containers;
    this.images = images;
  }

  /** Opens the response once the path is known to exist; the tar is written to what it returns. */
  @FunctionalInterface
  public interface Sink {
    OutputStream open(PathStat stat) throws IOException;
  }

  /** {@code HEAD /containers/{id}/archive}: what is at {@code path}. */
  public PathStat stat(String nameOrId, String rawPath) throws IOException {
    String path = clean(rawPath);
    return containers.rootfs().withRootfs(nameOrId, (c, rootfs) -> stat(Located.of(c, rootfs, path), path, nameOrId));
  }

  /** {@code GET /containers/{id}/archive}: a tar of {@code path} named by its last element. */
  public void archive(String nameOrId, String rawPath, Sink sink) throws IOException {
    String path = clean(rawPath);
    containers.rootfs().withRootfs(nameOrId, (c, rootfs) -> {
      Located at = Located.of(c, rootfs, path);
      PathStat stat = stat(at, path, nameOrId);
      Path host = at.host();
      try (OutputStream out = new BufferedOutputStream(sink.open(stat), 64 * 1024);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        TreeTar tree = TreeTar.plain(tar);
        containers.rootfs().remappingOf(c).ifPresent(r -> tree.ownersAs(r::containerUid, r::containerGid));
        tree.add(host, RootfsPath.baseName(path).equals("/") ? "." : RootfsPath.baseName(path));
        tar.finish();
      }
      containers.events().emit(c, "archive-path");
      return null;
    });
  }

  /**
   * {@code PUT /containers/{id}/archive}: extracts {@code tar} (plain or gzip) into the directory
   * {@code path}. With {@code copyUidGid} files belong to the container's user, else to the
   * owners the archive names.
   */
  public void extract(String nameOrId, String rawPath, InputStream tar, boolean noOverwriteDirNonDir, boolean copyUidGid)
      throws IOException {
    String path = clean(rawPath);
    if (containers.find(nameOrId).config().readonlyRootfs()) {
      throw new BerthException.InvalidArgument("container rootfs is marked read-only");
    }
    containers.rootfs().withRootfs(nameOrId, (c, rootfs) -> {
      Located at = Located.of(c, rootfs, path);
      if (at.mount() != null && !at.mount().rw()) {
        throw new BerthException.InvalidArgument("mounted volume is marked read-only");
      }
      Path dir = RootfsPath.resolve(at.root(), at.rest(), true);
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw notFound(path, nameOrId);
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new BerthException.InvalidArgument("extraction point is not a directory");
      }
      OptionalInt uid = OptionalInt.empty();
      OptionalInt gid = OptionalInt.empty();
      if (copyUidGid) {
        User u = Users.resolve(c.config().user(), Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
        uid = OptionalInt.of(u.uid());
        gid = OptionalInt.of(u.gid());
      }
      TarExtractor extractor = new TarExtractor(at.root(), RootfsPath.inContainer(at.root(), dir),
          noOverwriteDirNonDir, uid, gid);
      containers.rootfs().remappingOf(c).ifPresent(r -> extractor.ownersInto(id -> r.hostUid(id), id -> r.hostGid(id)));
      extractor.extract(decompressed(tar));
      containers.events().emit(c, "extract-to-dir");
      return null;
    });
  }

  /** {@code GET /containers/{id}/export}: the merged rootfs as one tar. */
  public void export(String nameOrId, OutputStream sink) throws IOException {
    containers.rootfs().withRootfs(nameOrId, (c, rootfs) -> {
      try (OutputStream out = new BufferedOutputStream(sink, 64 * 1024);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        TreeTar tree = TreeTar.plain(tar);
        containers.rootfs().remappingOf(c).ifPresent(r -> tree.ownersAs(r::containerUid, r::containerGid));
        tree.add(rootfs, "");
        tar.finish();
      }
      containers.events().emit(c, "export");
      return null;
    });
  }

  /** {@code GET /containers/{id}/changes}: Docker's Kind 0 modified, 1 added, 2 deleted. */
  public List<OverlayChanges.Change> changes(String nameOrId) throws IOException {
    Container c = containers.find(nameOrId);
    return OverlayChanges.of(containers.dir(c.id()).resolve("upper"), lowerDirs(c), TreeTar.INIT_PATHS::contains);
  }

  List<Path> lowerDirs(Container c) {
    Image image = images.find(c.imageId());
    List<Path> lower = new ArrayList<>();
    image.layers().forEach(l -> lower.add(images.layers().diffDir(l.chainId())));
    return lower;
  }

  private static PathStat stat(Located at, String path, String nameOrId) throws IOException {
    Path host = at.host();
    if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
      throw notFound(path, nameOrId);
    }
    String linkTarget = "";
    if (Files.isSymbolicLink(host)) {
      linkTarget = RootfsPath.inContainer(at.root(), RootfsPath.resolve(at.root(), at.rest(), true));
    }
    return PathStat.of(host, RootfsPath.baseName(path), linkTarget);
  }

  /**
   * Where a container path is on the host: under the deepest volume or bind mount whose
   * destination holds it (as the container sees it), else in the rootfs. Paths resolve inside
   * that root, so a link cannot lead out of the volume or the rootfs.
   *
   * @param mount the volume or bind the path is in; null for the rootfs
   * @param rest the path inside {@code root} ("/" for the mount point itself)
   */
  record Located(Path root, String rest, MountPoint mount) {
    static Located of(Container c, Path rootfs, String path) {
      MountPoint best = null;
      for (MountPoint m : c.config().storage().mountPoints()) {
        boolean files = m.type() == MountType.VOLUME || m.type() == MountType.BIND;
        String d = m.destination();
        if (files && !m.source().isEmpty() && (path.equals(d) || path.startsWith(d.endsWith("/") ? d : d + "/"))
            && (best == null || d.length() > best.destination().length())) {
          best = m;
        }
      }
      if (best == null) {
        return new Located(rootfs, path, null);
      }
      String rest = path.substring(best.destination().length());
      return new Located(Path.of(best.mountedSource()), rest.isEmpty() ? "/" : rest.startsWith("/") ? rest : "/" + rest, best);
    }

    /** The host path of {@code rest}, its last element not followed. */
    Path host() throws IOException {
      return rest.equals("/") ? root : RootfsPath.resolve(root, parentOf(rest), true).resolve(lastOf(rest));
    }
  }

  private static BerthException.NotFound notFound(String path, String nameOrId) {
    return new BerthException.NotFound("Could not find the file " + path + " in container " + nameOrId);
  }

  /** The container path up to the last element ("/a/b" → "/a"). */
  private static String parentOf(String path) {
    String p = path.endsWith("/.") ? path.substring(0, path.length() - 2) : path;
    p = p.replaceAll("/+$", "");
    int slash = p.lastIndexOf('/');
    return slash <= 0 ? "/" : p.substring(0, slash);
  }

  /** The last element, "" for the root and for "dir/." (which names the directory itself). */
  private static String lastOf(String path) {
    String p = path.endsWith("/.") ? path.substring(0, path.length() - 2) : path;
    p = p.replaceAll("/+$", "");
    int slash = p.lastIndexOf('/');
    String last = slash < 0 ? p : p.substring(slash + 1);
    return last.equals(".") || last.equals("..") ? "" : last;
  }

  private static InputStream decompressed(InputStream in) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 64 * 1024);
    b.mark(2);
    int m1 = b.read();
    int m2 = b.read();
    b.reset();
    return m1 == 0x1f && m2 == 0x8b ? new GZIPInputStream(b, 64 * 1024) : b;
  }

  /** Docker's filepath.Join("/", path): lexically cleaned and absolute, a trailing "/." or "/" kept. */
  static String clean(String path) {
    if (path == null || path.isEmpty()) {
      throw new BerthException.InvalidArgument("path is required: name a file or directory in the container");
    }
    String cleaned = Path.of("/").resolve(path).normalize().toString();
    if (path.endsWith("/.") && !cleaned.equals("/")) {
      return cleaned + "/.";
    }
    return path.endsWith("/") && !cleaned.equals("/") ? cleaned + "/" : cleaned;
  }
}
