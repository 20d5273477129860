package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.filesystem.TreeTar;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageChanges;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.LayerFiles;
import dev.berth.engine.image.Reference;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code docker commit}: the container's upper dir becomes a new gzip layer on top of its
 * image's layers, with a config made from the container's (plus {@code --change}s) and a history
 * entry. The container is paused meanwhile unless asked not to, so the layer is consistent.
 */
public final class ContainerCommitter {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ContainerCommitter.class);
  private final ContainerService containers;
  private final ImageService images;
  private final Path scratch;

  public ContainerCommitter(ContainerService containers, ImageService images, Path scratch) {
    this.containers = containers;
    this.images = images;
    this.scratch = scratch;
  }

  /** What to commit and how to name it. */
  public record Request(String container, Optional<Reference> tag, String comment, String author, boolean pause,
      List<String> changes) {}

  public Image commit(Request req) {
    Container c = containers.find(req.container());
    if (req.tag().isPresent() && req.tag().get().digest() != null) {
      throw new BerthException.InvalidArgument("refusing to create a tag with a digest reference");
    }
    ImageConfig.RunConfig run = ImageChanges.apply(runConfig(c, images.find(c.imageId())), req.changes());
    boolean paused = false;
    if (req.pause() && c.running() && !c.paused()) {
      containers.pauses().pause(c.id());
      paused = true;
    }
    try {
      Image base = images.find(c.imageId());
      List<Image.ImageLayer> layers = new ArrayList<>(base.layers());
      Optional<Image.ImageLayer> added = layerOf(c.id(), base);
      boolean empty = added.isEmpty();
      long size = base.size();
      if (added.isPresent()) {
        layers.add(added.get());
        size += images.layers().get(added.get().chainId()).size();
      }
      Instant now = Instant.now();
      ImageConfig b = base.config();
      List<ImageConfig.History> history = new ArrayList<>(b.history() == null ? List.of() : b.history());
      history.add(new ImageConfig.History(now.toString(), String.join(" ", args(c)), blankToNull(req.author()),
          blankToNull(req.comment()), empty ? Boolean.TRUE : null));
      ImageConfig config = new ImageConfig(now.toString(), blankToNull(req.author()), b.architecture(), b.os(),
          b.osVersion(), b.osFeatures(), b.variant(), run,
          new ImageConfig.RootFs("layers", layers.stream().map(Image.ImageLayer::diffId).toList()), history);
      byte[] bytes = dev.berth.engine.image.ImageJson.write(config);
      Digest id = Digest.of(bytes);
      images.content().write(id, new ByteArrayInputStream(bytes), bytes.length);
      Image image = new Image(id, config, bytes, List.of(), List.of(), null, null, layers, size, now, null);
      Image recorded = images.record(image, req.tag().map(List::of).orElse(List.of()), List.of());
      req.tag().ifPresent(t -> images.events().image("tag", id.toString(), t.familiar()));
      log.info("container {} committed as image {}{} ({})", c.shortId(), id.shortHex(),
          req.tag().map(t -> " " + t.familiar()).orElse(""), empty ? "no changes" : "one new layer");
      containers.events().emit(c, "commit", Map.of("comment", req.comment() == null ? "" : req.comment(),
          "imageID", id.toString(), "imageRef", req.tag().map(Reference::familiar).orElse("")));
      return recorded;
    } catch (IOException e) {
      String what = "commit of container " + c.shortId();
      throw dev.berth.engine.sys.NoSpaceLeft.translate(what, new UncheckedIOException(what + " failed: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      throw dev.berth.engine.sys.NoSpaceLeft.translate("commit of container " + c.shortId(), e);
    } finally {
      if (paused) {
        try {
          containers.pauses().unpause(c.id());
        } catch (BerthException e) {
          // it exited meanwhile: nothing to thaw
        }
      }
    }
  }

  /**
   * The container's changes (its upper dir) as a new layer on {@code base}'s, stored and
   * unpacked; empty when it changed nothing but the runtime's mount points. The builder commits
   * its RUN and COPY steps through this.
   */
  public Optional<Image.ImageLayer> layerOf(String containerId, Image base) throws IOException {
    return layerOf(containers.dir(containerId).resolve("upper"), base,
        containers.rootfs().remappingOf(containers.find(containerId)));
  }

  /** As {@link #layerOf(String, Image)} for any overlay upper dir whose lower dirs were {@code base}'s layers. */
  public Optional<Image.ImageLayer> layerOf(Path upper, Image base) throws IOException {
    return layerOf(upper, base, Optional.empty());
  }

  /** With {@code remapping}, the upper dir's host owners are written as the container's ids. */
  private Optional<Image.ImageLayer> layerOf(Path upper, Image base,
      Optional<dev.berth.engine.userns.Remapping> remapping) throws IOException {
    if (isEmpty(upper)) {
      return Optional.empty();
    }
    Files.createDirectories(scratch);
    Path file = Files.createTempFile(scratch, "commit-", ".tar.gz");
    try {
      // The diff ID is hashed while the tar is written, so the ingest need not inflate it again.
      java.security.MessageDigest sha = Digest.newSha256();
      try (OutputStream out = new java.security.DigestOutputStream(
              fastGzip(new BufferedOutputStream(Files.newOutputStream(file))), sha);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        TreeTar tree = new TreeTar(tar, TreeTar.Form.LAYER, TreeTar.INIT_PATHS::contains);
        remapping.ifPresent(r -> tree.ownersAs(r::containerUid, r::containerGid));
        tree.add(upper, "");
        tar.finish();
      }
      String parent = base.layers().isEmpty() ? null : base.layers().getLast().chainId();
      return Optional.of(LayerFiles.ingest(images, file, parent, Digest.fromSha256(sha.digest())));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The container's effective run config; ports and volumes come from the image, as the container keeps them. */
  static ImageConfig.RunConfig runConfig(Container c, Image image) {
    ContainerConfig k = c.config();
    ImageConfig.RunConfig i = image.config().config();
    return new ImageConfig.RunConfig(emptyToNull(k.user()), i == null ? null : i.exposedPorts(),
        k.env() == null || k.env().isEmpty() ? null : k.env(), k.entrypoint() == null || k.entrypoint().isEmpty()
            ? null : k.entrypoint(), k.cmd() == null || k.cmd().isEmpty() ? null : k.cmd(),
        i == null ? null : i.volumes(), emptyToNull(k.workingDir()),
        k.labels() == null || k.labels().isEmpty() ? null : k.labels(),
        k.stopSignal() == null || k.stopSignal().equals("SIGTERM") ? (i == null ? null : i.stopSignal()) : k.stopSignal(),
        k.stopTimeout(), null, i == null ? null : i.healthcheck(), null, i == null ? null : i.shell());
  }

  private static List<String> args(Container c) {
    List<String> a = new ArrayList<>();
    if (c.config().entrypoint() != null) {
      a.addAll(c.config().entrypoint());
    }
    if (c.config().cmd() != null) {
      a.addAll(c.config().cmd());
    }
    return a;
  }

  /**
   * gzip at its fastest level: the blob is kept as it is for later pushes, and a commit waits on
   * it (dockerd stores a commit uncompressed); on incompressible data level 1 is ~3x faster.
   */
  private static OutputStream fastGzip(OutputStream out) throws IOException {
    return new GZIPOutputStream(out, 64 * 1024) {
      {
        def.setLevel(java.util.zip.Deflater.BEST_SPEED);
      }
    };
  }

  /** Whether the upper dir holds nothing but the runtime's mount points. */
  private static boolean isEmpty(Path upper) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(upper)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (!TreeTar.INIT_PATHS.contains(name) && !(name.equals("etc") && onlyInitFiles(p))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean onlyInitFiles(Path etc) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(etc)) {
      for (Path p : s) {
        if (!TreeTar.INIT_PATHS.contains("etc/" + p.getFileName())) {
          return false;
        }
      }
    }
    return true;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
