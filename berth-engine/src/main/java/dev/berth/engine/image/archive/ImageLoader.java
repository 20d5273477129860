package dev.berth.engine.image.archive;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.sys.NoSpaceLeft;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.LayerFiles;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Reference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code load}: reads an archive written by {@code docker save} (either the classic layout with
 * {@code manifest.json} and per-layer directories, or docker 25's OCI layout) or by Berth.
 * The tar is first unpacked into a scratch dir — regular files and dirs only, each path
 * checked to stay inside — then each image is ingested and recorded. An image's ID is the
 * digest of its config, so it is the same as in the daemon that saved it.
 */
public final class ImageLoader {
  private static final long MAX_METADATA_BYTES = 4L << 20;

  private final ImageService images;
  private final Path scratch;

  public ImageLoader(ImageService images, Path scratch) {
    this.images = images;
    this.scratch = scratch;
  }

  /** Loads every image in the archive; {@code loaded} hears "Loaded image: name:tag" lines. */
  public List<Image> load(InputStream archive, Consumer<String> loaded) throws IOException {
    try {
      return loadInScratch(archive, loaded);
    } catch (IOException e) {
      if (NoSpaceLeft.isCause(e)) {
        throw new NoSpaceLeft("load of the image archive", e);
      }
      throw e;
    } catch (RuntimeException e) {
      throw NoSpaceLeft.translate("load of the image archive", e);
    }
  }

  private List<Image> loadInScratch(InputStream archive, Consumer<String> loaded) throws IOException {
    Files.createDirectories(scratch);
    Path dir = Files.createTempDirectory(scratch, "load-");
    try {
      extract(archive, dir);
      List<Image> result = new ArrayList<>();
      if (Files.isRegularFile(dir.resolve("manifest.json"))) {
        List<ImageArchive.DockerManifestEntry> entries = ImageArchive.JSON.readValue(
            readSmall(dir.resolve("manifest.json")), new TypeReference<>() {});
        for (ImageArchive.DockerManifestEntry entry : entries) {
          result.add(loadDockerEntry(dir, entry, loaded));
        }
      } else if (Files.isRegularFile(dir.resolve("index.json"))) {
        ImageIndex index = ImageJson.read(readSmall(dir.resolve("index.json")), ImageIndex.class, "index.json");
        for (Descriptor d : index.manifests()) {
          result.addAll(loadOci(dir, d, loaded));
        }
      } else {
        throw new BerthException.InvalidArgument("not an image archive: it has neither manifest.json "
            + "(docker save) nor index.json (OCI layout)");
      }
      result.forEach(i -> images.events().image("load", i.id().toString(), i.id().toString()));
      return result;
    } finally {
      deleteTree(dir);
    }
  }

  private Image loadDockerEntry(Path dir, ImageArchive.DockerManifestEntry entry, Consumer<String> loaded)
      throws IOException {
    byte[] configBytes = readSmall(inside(dir, entry.config()));
    List<Reference> tags = entry.repoTags() == null ? List.of()
        : entry.repoTags().stream().map(Reference::parse).toList();
    Image image = ingest(dir, configBytes, entry.layers().stream().map(p -> inside(dir, p)).toList(), tags, null,
        null);
    announce(image, tags, loaded);
    return image;
  }

  private List<Image> loadOci(Path dir, Descriptor d, Consumer<String> loaded) throws IOException {
    byte[] bytes = readSmall(inside(dir, ImageArchive.blobPath(d.digest())));
    if (!Digest.of(bytes).equals(d.digest())) {
      throw new BerthException.InvalidArgument("index.json names " + d.digest() + " but that blob's content differs");
    }
    if (MediaTypes.isIndex(d.mediaType())) {
      List<Image> all = new ArrayList<>();
      for (Descriptor child : ImageJson.read(bytes, ImageIndex.class, "index " + d.digest()).manifests()) {
        all.addAll(loadOci(dir, child, loaded));
      }
      return all;
    }
    ImageManifest manifest = ImageJson.read(bytes, ImageManifest.class, "manifest " + d.digest());
    byte[] configBytes = readSmall(inside(dir, ImageArchive.blobPath(manifest.config().digest())));
    List<Reference> tags = new ArrayList<>();
    Map<String, String> annotations = d.annotations() == null ? Map.of() : d.annotations();
    String name = annotations.get("io.containerd.image.name");
    if (name != null) {
      tags.add(Reference.parse(name));
    }
    List<Path> layerFiles = manifest.layers().stream()
        .map(l -> inside(dir, ImageArchive.blobPath(l.digest()))).toList();
    images.content().write(d.digest(), new ByteArrayInputStream(bytes), bytes.length);
    Image image = ingest(dir, configBytes, layerFiles, tags, d.digest(), d.mediaType());
    announce(image, tags, loaded);
    return List.of(image);
  }

  private Image ingest(Path dir, byte[] configBytes, List<Path> layerFiles, List<Reference> tags,
      Digest manifestDigest, String manifestMediaType) throws IOException {
    Digest id = Digest.of(configBytes);
    ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config " + id);
    List<Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
    if (diffIds.size() != layerFiles.size()) {
      throw new BerthException.InvalidArgument("image " + id.shortHex() + " in the archive lists " + layerFiles.size()
          + " layers but its config " + diffIds.size() + " diff IDs");
    }
    List<String> chains = new ArrayList<>(List.of(id.toString()));
    String chain = null;
    for (Digest diffId : diffIds) {
      chain = dev.berth.engine.image.layer.ChainIds.next(chain, diffId.toString());
      chains.add(chain);
    }
    try (ImageService.Pin _ = images.pin(chains)) {
      return ingestPinned(configBytes, layerFiles, tags, manifestDigest, manifestMediaType, id, config, diffIds);
    }
  }

  private Image ingestPinned(byte[] configBytes, List<Path> layerFiles, List<Reference> tags, Digest manifestDigest,
      String manifestMediaType, Digest id, ImageConfig config, List<Digest> diffIds) throws IOException {
    List<Image.ImageLayer> layers = new ArrayList<>();
    String parent = null;
    long size = 0;
    for (int i = 0; i < layerFiles.size(); i++) {
      Image.ImageLayer layer = LayerFiles.ingest(images, layerFiles.get(i), parent, diffIds.get(i));
      layers.add(layer);
      size += images.layers().get(layer.chainId()).size();
      parent = layer.chainId();
    }
    images.content().write(id, new ByteArrayInputStream(configBytes), configBytes.length);
    Image image = new Image(id, config, configBytes, List.of(), List.of(), manifestDigest, manifestMediaType, layers,
        size, Instant.now(), null);
    return images.record(image, tags, List.of());
  }

  private static void announce(Image image, List<Reference> tags, Consumer<String> loaded) {
    if (tags.isEmpty()) {
      loaded.accept("Loaded image ID: " + image.id());
    }
    tags.forEach(t -> loaded.accept("Loaded image: " + t.familiar()));
  }

  /** Unpacks regular files and dirs; anything else is skipped, any path escaping {@code dir} refused. */
  static void extract(InputStream archive, Path dir) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(archive);
    TarArchiveEntry entry;
    boolean any = false;
    List<Path[]> links = new ArrayList<>();
    String previous = null;
    while ((entry = dev.berth.engine.filesystem.TarHeaders.next(tar, previous)) != null) {
      previous = entry.getName();
      any = true;
      Path target = inside(dir, entry.getName());
      try {
        if (entry.isSymbolicLink()) { // before isFile(): commons-compress calls a link a file too
          // The classic layout links a layer shared by two images; copy it after extraction
          // instead of creating a link, so nothing here ever follows a link the archive made.
          String linkName = entry.getLinkName();
          Path linkTarget = linkName.startsWith("/") ? inside(dir, linkName)
              : inside(dir, dir.relativize(target.getParent().resolve(linkName).normalize()).toString());
          links.add(new Path[] {target, linkTarget});
        } else if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else if (entry.getLinkFlag() == TarConstants.LF_NORMAL || entry.getLinkFlag() == TarConstants.LF_OLDNORM) {
          Files.createDirectories(target.getParent());
          if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(target);
          }
          try (OutputStream out = Files.newOutputStream(target)) {
            dev.berth.engine.filesystem.TarHeaders.copyEntry(tar, out, entry.getName());
          }
        }
      } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.NotDirectoryException
          | java.nio.file.DirectoryNotEmptyException clash) {
        // a file where an earlier entry made a directory, or the reverse (found by ApiFuzzIT)
        throw new BerthException.InvalidArgument("archive entry " + entry.getName()
            + " clashes with an earlier entry of the archive; this is not an image archive docker save makes");
      }
    }
    if (!any) {
      throw new BerthException.InvalidArgument("the archive is empty or not a tar file");
    }
    for (Path[] link : links) {
      if (Files.isRegularFile(link[1], LinkOption.NOFOLLOW_LINKS) && !Files.exists(link[0], LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(link[0].getParent());
        Files.copy(link[1], link[0]);
      }
    }
  }

  /** {@code name} resolved under {@code dir}; refuses absolute paths and .. that leave it. */
  static Path inside(Path dir, String name) {
    Path resolved = dir.resolve(name.startsWith("/") ? name.substring(1) : name).normalize();
    if (!resolved.startsWith(dir)) {
      throw new BerthException.InvalidArgument("archive entry " + name + " points outside the archive");
    }
    return resolved;
  }

  private static byte[] readSmall(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new BerthException.InvalidArgument("the archive lacks " + file.getFileName());
    }
    if (Files.size(file) > MAX_METADATA_BYTES) {
      throw new BerthException.InvalidArgument(file.getFileName() + " in the archive is larger than 4 MiB");
    }
    return Files.readAllBytes(file);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
