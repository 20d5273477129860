package dev.berth.engine.build;

import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Platform;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The images a build makes: one per step, as the classic builder does, each the parent's layers
 * (plus the step's one) with the step's config and a history entry. They are recorded untagged;
 * the cache records point at them (see docs/decisions/0200-build-cache.md).
 */
final class StepImages {
  private final ImageService images;
  private final Clock clock;

  StepImages(ImageService images, Clock clock) {
    this.images = images;
    this.clock = clock;
  }

  /**
   * The empty base of {@code FROM scratch}: no layers, no config. Its ID is fixed (no timestamp),
   * so every build shares one row.
   */
  Image scratch() {
    Platform host = Platform.host();
    ImageConfig config = new ImageConfig(null, null, host.architecture(), host.os(), null, null, host.variant(),
        new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null),
        new ImageConfig.RootFs("layers", List.of()), List.of());
    return record(config, List.of(), 0);
  }

  /**
   * The child of {@code parent}: its layers plus {@code layer}, the config {@code run}, and a
   * history entry {@code createdBy} (an empty layer when {@code layer} is empty).
   */
  Image child(Image parent, Optional<Image.ImageLayer> layer, ImageConfig.RunConfig run, String createdBy) {
    List<Image.ImageLayer> layers = new ArrayList<>(parent.layers());
    long size = parent.size();
    if (layer.isPresent()) {
      layers.add(layer.get());
      try {
        size += images.layers().get(layer.get().chainId()).size();
      } catch (IOException e) {
        throw new UncheckedIOException("layer " + layer.get().chainId() + " is unreadable: " + e.getMessage(), e);
      }
    }
    Instant now = clock.instant();
    ImageConfig b = parent.config();
    List<ImageConfig.History> history = new ArrayList<>(b.history() == null ? List.of() : b.history());
    history.add(new ImageConfig.History(now.toString(), createdBy, null, null, layer.isEmpty() ? Boolean.TRUE : null));
    ImageConfig config = new ImageConfig(now.toString(), b.author(), b.architecture(), b.os(), b.osVersion(),
        b.osFeatures(), b.variant(), run,
        new ImageConfig.RootFs("layers", layers.stream().map(Image.ImageLayer::diffId).toList()), history);
    return record(config, layers, size);
  }

  /** As {@link #child} but also setting the author (MAINTAINER). */
  Image withAuthor(Image image, String author) {
    ImageConfig b = image.config();
    ImageConfig config = new ImageConfig(b.created(), author, b.architecture(), b.os(), b.osVersion(), b.osFeatures(),
        b.variant(), b.config(), b.rootfs(), b.history());
    return record(config, image.layers(), image.size());
  }

  private Image record(ImageConfig config, List<Image.ImageLayer> layers, long size) {
    byte[] bytes = ImageJson.write(config);
    Digest id = Digest.of(bytes);
    Optional<Image> existing = images.lookup(id.toString());
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      images.content().write(id, new ByteArrayInputStream(bytes), bytes.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store an image config: " + e.getMessage(), e);
    }
    Image image = new Image(id, config, bytes, List.of(), List.of(), null, null, layers, size, clock.instant(), null);
    return images.record(image, List.of(), List.of());
  }
}
