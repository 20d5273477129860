package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.system.HostFacts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code import}: a root filesystem tarball (plain or compressed) becomes a one-layer image. */
public final class ImageImporter {
  private final ImageService images;
  private final Path scratch;
  private final String goArch;

  public ImageImporter(ImageService images, Path scratch, HostFacts host) {
    this.images = images;
    this.scratch = scratch;
    this.goArch = host.goArch();
  }

  public Image importTarball(InputStream tarball, Optional<Reference> tag, List<String> changes, String message) {
    ImageConfig.RunConfig run = ImageChanges.apply(
        new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null),
        changes);
    Path file = null;
    try {
      Files.createDirectories(scratch);
      file = Files.createTempFile(scratch, "import-", ".tar");
      long size;
      try (var out = Files.newOutputStream(file)) {
        size = tarball.transferTo(out);
      }
      if (size == 0) {
        throw new BerthException.InvalidArgument("the import is empty: send a tar archive of a root filesystem");
      }
      Image.ImageLayer layer = LayerFiles.ingest(images, file, null, null);
      String now = Instant.now(images.clock()).toString();
      ImageConfig config = new ImageConfig(now, null, goArch, "linux", null, null, null, run,
          new ImageConfig.RootFs("layers", List.of(layer.diffId())),
          List.of(new ImageConfig.History(now, "", null,
              message == null || message.isBlank() ? "Imported from -" : message, null)));
      byte[] configBytes = ImageJson.write(config);
      Digest id = Digest.of(configBytes);
      images.content().write(id, new ByteArrayInputStream(configBytes), configBytes.length);
      long unpacked = images.layers().get(layer.chainId()).size();
      Image image = new Image(id, config, configBytes, List.of(), List.of(), null, null, List.of(layer), unpacked,
          Instant.now(images.clock()), null);
      Image recorded = images.record(image, tag.map(List::of).orElse(List.of()), List.of());
      images.events().image("import", id.toString(), id.toString());
      tag.ifPresent(t -> images.events().image("tag", id.toString(), t.familiar()));
      return recorded;
    } catch (IOException e) {
      throw new UncheckedIOException("import failed: " + e.getMessage(), e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file in the data-root's tmp dir; the next start clears it
        }
      }
    }
  }
}
