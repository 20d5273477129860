package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.layer.ChainIds;
import dev.berth.engine.image.registry.FetchedManifest;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls an image: resolve the manifest for the platform, fetch the config, download the layers
 * in parallel into the content store, each unpacked once while it downloads (checking its diff
 * ID against the config; {@link LayerFetcher}), then record the image and its references in one
 * transaction. Everything before the record is content-addressed and written atomically, so an
 * interrupted pull leaves no image and the next pull reuses what was already verified.
 */
public final class ImagePuller {
  private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

  private final ImageService images;

  public ImagePuller(ImageService images) {
    this.images = images;
  }

  /** The outcome: the image, and whether anything new was stored. */
  public record Result(Image image, boolean updated, Digest repoDigest) {}

  /**
   * Pulls {@code ref} for {@code platform}; a pull of the same reference, platform and
   * credentials already under way is joined instead of repeated ({@link PullFlights}).
   */
  public Result pull(RegistryClient client, Reference ref, Platform platform, Consumer<PullEvent> events) {
    PullFlights.Key key = new PullFlights.Key(ref.toString(), platform, client.credentials(ref.domain()));
    try {
      return images.pullFlights().run(key, events, shared -> pullOnce(client, ref, platform, shared));
    } catch (RuntimeException e) {
      throw dev.berth.engine.sys.NoSpaceLeft.translate("pull of " + ref.familiar(), e);
    }
  }

  private Result pullOnce(RegistryClient client, Reference ref, Platform platform, Consumer<PullEvent> events) {
    // Resolve first: a missing image or a refused login fails before any progress is sent,
    // so the API can still answer with a plain error status.
    FetchedManifest.Resolved resolved = client.resolve(ref, platform);
    String tagOrDigest = ref.digest() != null ? ref.digest().toString() : ref.tag();
    events.accept(new PullEvent.Status(tagOrDigest, "Pulling from " + ref.familiarName()));
    FetchedManifest.Image manifest = resolved.image();
    List<String> keys = new ArrayList<>(List.of(manifest.manifest().config().digest().toString(),
        manifest.digest().toString()));
    manifest.manifest().layers().forEach(l -> keys.add(l.digest().toString()));
    try (ImageService.Pin _ = images.pin(keys)) {
      return pullPinned(client, ref, resolved, events);
    }
  }

  private Result pullPinned(RegistryClient client, Reference ref, FetchedManifest.Resolved resolved,
      Consumer<PullEvent> events) {
    FetchedManifest.Image manifest = resolved.image();
    Descriptor configDescriptor = manifest.manifest().config();
    Digest imageId = configDescriptor.digest();
    Digest repoDigest = resolved.top().digest();
    ContentStore content = images.content();

    Optional<Image> existing = images.lookup(imageId.toString());
    if (existing.isPresent()) {
      Image image = images.record(existing.get(), tagsFor(ref), List.of(ref.withDigest(repoDigest)));
      events.accept(new PullEvent.Status(null, "Digest: " + repoDigest));
      events.accept(new PullEvent.Status(null, "Status: Image is up to date for " + ref.familiar()));
      images.events().image("pull", ref.familiar(), ref.familiarName());
      return new Result(image, false, repoDigest);
    }

    byte[] configBytes = client.fetchSmallBlob(ref, configDescriptor);
    ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config " + imageId);
    List<Descriptor> layerBlobs = manifest.manifest().layers();
    List<Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
    if (diffIds.size() != layerBlobs.size()) {
      throw new BerthException.InvalidArgument("image " + ref.familiar() + " is inconsistent: its manifest lists "
          + layerBlobs.size() + " layers but its config " + diffIds.size() + " diff IDs");
    }
    for (Descriptor layer : layerBlobs) {
      String id = layer.digest().shortHex();
      boolean have = content.exists(layer.digest());
      events.accept(new PullEvent.Layer(id, have ? "Already exists" : "Pulling fs layer", 0, layer.size()));
    }
    List<String> chains = new ArrayList<>();
    String parentChain = null;
    for (Digest diffId : diffIds) {
      parentChain = ChainIds.next(parentChain, diffId.toString());
      chains.add(parentChain);
    }
    List<Image.ImageLayer> layers;
    try (ImageService.Pin _ = images.pin(chains)) {
      layers = new LayerFetcher(images, client, ref, events).fetch(layerBlobs, diffIds);
    }
    try {
      content.write(imageId, new ByteArrayInputStream(configBytes), configBytes.length);
      content.write(manifest.digest(), new ByteArrayInputStream(manifest.bytes()), manifest.bytes().length);
    } catch (IOException e) {
      throw new UncheckedIOException("storing the config of " + ref.familiar() + ": " + e.getMessage(), e);
    }
    long size = 0;
    for (Image.ImageLayer l : layers) {
      size += layerSize(l.chainId());
    }
    Image image = new Image(imageId, config, configBytes, List.of(), List.of(), manifest.digest(),
        manifest.mediaType(), layers, size, Instant.now(images.clock()), null);
    Image stored = images.record(image, tagsFor(ref), List.of(ref.withDigest(repoDigest)));
    log.info("pulled {} as image {}", ref.familiar(), stored.shortId());
    events.accept(new PullEvent.Status(null, "Digest: " + repoDigest));
    events.accept(new PullEvent.Status(null, "Status: Downloaded newer image for " + ref.familiar()));
    images.events().image("pull", ref.familiar(), ref.familiarName());
    return new Result(stored, true, repoDigest);
  }

  private long layerSize(String chainId) {
    try {
      return images.layers().get(chainId).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A pull by tag names the image with that tag; a pull by digest adds no tag (as Docker). */
  private static List<Reference> tagsFor(Reference ref) {
    return ref.digest() == null ? List.of(ref) : List.of();
  }
}
