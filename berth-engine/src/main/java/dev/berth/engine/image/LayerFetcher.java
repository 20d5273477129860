package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.layer.ChainIds;
import dev.berth.engine.image.layer.Layer;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Downloads and unpacks the layers of one image, in parallel on virtual threads (at most the
 * client's download limit at once). A layer not unpacked yet is unpacked <em>while</em> its blob
 * downloads: the response body is read through the content store, which hashes it and writes it
 * to the blob's temp file, into the unpacker. So each blob is written once and never read back,
 * and download and unpack overlap. The blob is renamed into place only when its digest checks
 * out at the end of the body, and the layer only after that (and after its diff ID checks out);
 * on any failure both temp files go. In overlay form a layer is unpacked alone, so layers need
 * not wait for their parents.
 */
final class LayerFetcher {
  private static final long PROGRESS_BYTES = 512 * 1024;
  private static final long PROGRESS_NANOS = 100_000_000;

  private final ImageService images;
  private final RegistryClient client;
  private final Reference ref;
  private final Consumer<PullEvent> events;

  LayerFetcher(ImageService images, RegistryClient client, Reference ref, Consumer<PullEvent> events) {
    this.images = images;
    this.client = client;
    this.ref = ref;
    this.events = events;
  }

  /** The layers, bottom first; the first failure cancels the others and is thrown. */
  List<Image.ImageLayer> fetch(List<Descriptor> blobs, List<Digest> diffIds) {
    List<String> chains = new ArrayList<>();
    String parent = null;
    for (Digest diffId : diffIds) {
      parent = ChainIds.next(parent, diffId.toString());
      chains.add(parent);
    }
    Semaphore slots = new Semaphore(client.maxConcurrentDownloads());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletionService<Layer> done = new ExecutorCompletionService<>(pool);
      List<Future<Layer>> futures = new ArrayList<>();
      for (int i = 0; i < blobs.size(); i++) {
        Descriptor blob = blobs.get(i);
        String parentChain = i == 0 ? null : chains.get(i - 1);
        Digest diffId = diffIds.get(i);
        futures.add(done.submit(() -> {
          slots.acquire();
          try {
            return fetchOne(blob, parentChain, diffId);
          } finally {
            slots.release();
          }
        }));
      }
      // Taken in completion order, so the first failure cancels the rest at once.
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          throw rethrow(e.getCause());
        } catch (InterruptedException e) {
          futures.forEach(f -> f.cancel(true));
          Thread.currentThread().interrupt();
          throw new BerthException.Unavailable("pulling " + ref.familiar() + " was interrupted", e);
        }
      }
      List<Image.ImageLayer> layers = new ArrayList<>();
      for (int i = 0; i < blobs.size(); i++) {
        layers.add(new Image.ImageLayer(diffIds.get(i), futures.get(i).resultNow().chainId(), blobs.get(i)));
      }
      return layers;
    }
  }

  private Layer fetchOne(Descriptor blob, String parentChain, Digest diffId) throws IOException {
    ContentStore content = images.content();
    String id = blob.digest().shortHex();
    String chain = ChainIds.next(parentChain, diffId.toString());
    if (images.layers().exists(chain) && content.exists(blob.digest())) {
      return images.layers().get(chain); // the puller said "Already exists"
    }
    long[] last = {0, System.nanoTime()}; // bytes and time of the last report
    LongConsumer progress = current -> {
      // As Docker: at most every 512 KiB and 100 ms per layer, and the end. A progress bar needs
      // no more, and each report is a JSON message that the client parses.
      long now = System.nanoTime();
      if (current == blob.size()
          || (current - last[0] >= PROGRESS_BYTES && now - last[1] >= PROGRESS_NANOS)) {
        last[0] = current;
        last[1] = now;
        events.accept(new PullEvent.Layer(id, "Downloading", current, blob.size()));
      }
    };
    // Unpacked from the blob as it downloads; from the stored blob if it is there. The store
    // never opens the source when the layer exists (another pull unpacked it meanwhile).
    // Only a lost connection (SourceFailedException) is retried; a host I/O error is not.
    Layer layer = client.retryingDownload(ref, blob, () -> {
      try {
        return images.layers().ensure(parentChain, diffId.toString(), blob.mediaType(),
            () -> content.readThrough(blob.digest(), blob.size(), blob.size(), client.blobSource(ref, blob), progress));
      } catch (IOException e) {
        throw new UncheckedIOException("unpacking layer " + id + " of " + ref.familiar() + ": " + e.getMessage(), e);
      }
    });
    if (!content.exists(blob.digest())) {
      // The layer was unpacked already (for another image) but its blob is not stored: keep
      // the compressed bytes too, for push and save.
      client.fetchBlob(ref, blob, content, progress);
    }
    events.accept(new PullEvent.Layer(id, "Pull complete", blob.size(), blob.size()));
    return layer;
  }

  private RuntimeException rethrow(Throwable cause) {
    return switch (cause) {
      case RuntimeException runtime -> runtime;
      case IOException io -> new UncheckedIOException("pulling the layers of " + ref.familiar() + ": " + io.getMessage(), io);
      default -> new BerthException.Unavailable("pulling the layers of " + ref.familiar() + " failed: " + cause, cause);
    };
  }
}
