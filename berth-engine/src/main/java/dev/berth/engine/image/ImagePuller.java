package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.layer.ChainIds;
import dev.berth.engine.image.layer.Layer;
import dev.berth.engine.image.registry.BlobProgress;
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
 * in parallel into the content store, unpack each once (checking its diff ID against the
 * config), then record the image and its references in one transaction. Everything before the
 * record is content-addressed and written atomically, so an interrupted pull leaves no image and
 * the next pull reuses what was already verified.
 */
public final class ImagePuller {
  private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

  private final ImageService images;

  public ImagePuller(ImageService images) {
    this.images = images;
  }

  /** The outcome: the image, and whether anything new was stored. */
  public record Result(Image image, boolean updated, Digest repoDigest) {}

  public Result pull(RegistryClient client, Reference ref, Platform platform, Consumer<PullEvent> events) {
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
    try (ImageService.Pin _ = images.pin(chains); Unpacking unpacking = new Unpacking(layerBlobs, diffIds, events)) {
      client.fetchBlobs(ref, layerBlobs, content, progress -> {
        events.accept(switch (progress) {
          case BlobProgress.AlreadyPresent p -> new PullEvent.Layer(p.digest().shortHex(), "Already exists", p.size(), p.size());
          case BlobProgress.Started st -> new PullEvent.Layer(st.digest().shortHex(), "Downloading", 0, st.total());
          case BlobProgress.Downloading d -> new PullEvent.Layer(d.digest().shortHex(), "Downloading", d.current(), d.total());
          case BlobProgress.Completed c -> new PullEvent.Layer(c.digest().shortHex(), "Download complete", c.size(), c.size());
          case BlobProgress.Failed f -> new PullEvent.Layer(f.digest().shortHex(), "Download failed: " + f.message(), 0, 0);
        });
        // Unpack each layer as soon as its blob is stored, while the others still download.
        if (progress instanceof BlobProgress.Completed || progress instanceof BlobProgress.AlreadyPresent) {
          unpacking.start(progressDigest(progress));
        }
      });
      layers = unpacking.finish();
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

  private static Digest progressDigest(BlobProgress progress) {
    return switch (progress) {
      case BlobProgress.AlreadyPresent p -> p.digest();
      case BlobProgress.Started st -> st.digest();
      case BlobProgress.Downloading d -> d.digest();
      case BlobProgress.Completed c -> c.digest();
      case BlobProgress.Failed f -> f.digest();
    };
  }

  /**
   * Unpacks layers on virtual threads, at most one per core at a time, each as soon as its
   * blob is stored. In overlay form a layer is unpacked alone, so order does not matter; the
   * chain IDs come from the config's diff IDs, known before any download.
   */
  private final class Unpacking implements AutoCloseable {
    private final List<Descriptor> blobs;
    private final List<String> chainIds = new ArrayList<>();
    private final List<Digest> diffIds;
    private final Consumer<PullEvent> events;
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.Semaphore cores =
        new java.util.concurrent.Semaphore(Runtime.getRuntime().availableProcessors());
    private final java.util.Map<Integer, java.util.concurrent.Future<Layer>> started =
        new java.util.concurrent.ConcurrentHashMap<>();

    Unpacking(List<Descriptor> blobs, List<Digest> diffIds, Consumer<PullEvent> events) {
      this.blobs = blobs;
      this.diffIds = diffIds;
      this.events = events;
      String parent = null;
      for (Digest diffId : diffIds) {
        parent = ChainIds.next(parent, diffId.toString());
        chainIds.add(parent);
      }
    }

    /** Starts unpacking every layer whose blob is {@code digest} (a blob may appear twice). */
    void start(Digest digest) {
      for (int i = 0; i < blobs.size(); i++) {
        if (blobs.get(i).digest().equals(digest)) {
          int index = i;
          started.computeIfAbsent(index, k -> pool.submit(() -> unpack(index)));
        }
      }
    }

    private Layer unpack(int i) throws IOException, InterruptedException {
      Descriptor blob = blobs.get(i);
      String id = blob.digest().shortHex();
      String parent = i == 0 ? null : chainIds.get(i - 1);
      cores.acquire();
      try {
        if (!images.layers().exists(chainIds.get(i))) {
          events.accept(new PullEvent.Layer(id, "Extracting", 0, blob.size()));
        }
        Layer layer = images.layers().ensure(parent, diffIds.get(i).toString(), blob.mediaType(),
            () -> images.content().open(blob.digest()));
        events.accept(new PullEvent.Layer(id, "Pull complete", blob.size(), blob.size()));
        return layer;
      } finally {
        cores.release();
      }
    }

    /** Waits for every layer (starting any not started yet); the layers bottom first. */
    List<Image.ImageLayer> finish() {
      for (Descriptor blob : blobs) {
        start(blob.digest());
      }
      List<Image.ImageLayer> result = new ArrayList<>();
      for (int i = 0; i < blobs.size(); i++) {
        try {
          Layer layer = started.get(i).get();
          result.add(new Image.ImageLayer(diffIds.get(i), layer.chainId(), blobs.get(i)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BerthException.Unavailable("pull interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new UncheckedIOException("unpacking layer " + blobs.get(i).digest().shortHex() + ": "
              + cause.getMessage(), cause instanceof IOException io ? io : new IOException(cause));
        }
      }
      return result;
    }

    @Override
    public void close() {
      pool.shutdownNow();
      pool.close();
    }
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
