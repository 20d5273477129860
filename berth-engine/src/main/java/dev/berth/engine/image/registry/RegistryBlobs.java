package dev.berth.engine.image.registry;

import static dev.berth.engine.image.registry.RegistryClient.MAX_MANIFEST_BYTES;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.RegistryClient.Download;
import dev.berth.engine.image.registry.RegistryTransport.Reply;
import java.io.IOException;
import java.net.URI;
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
 * Blobs downloaded for a pull, from the first mirror that has them, else the registry: small
 * ones (configs) whole and verified, layers streamed into the {@link ContentStore} (which
 * verifies them), several at once, started over when a connection drops midway.
 */
final class RegistryBlobs {
  private static final long PROGRESS_STEP = 256 * 1024;

  private final RegistryTransport transport;
  private final PullEndpoints endpoints;

  RegistryBlobs(RegistryTransport transport, PullEndpoints endpoints) {
    this.transport = transport;
    this.endpoints = endpoints;
  }

  byte[] fetchSmall(Reference ref, Descriptor descriptor) {
    String what = "blob " + descriptor.digest() + " of " + ref.familiar();
    if (descriptor.size() > MAX_MANIFEST_BYTES) {
      throw new BerthException.InvalidArgument(
          what + " declares " + descriptor.size() + " bytes, more than the "
              + MAX_MANIFEST_BYTES + " allowed for a config");
    }
    return endpoints.first(ref.name(), transport.pullTargets(ref), what,
        target -> fetchSmall(target, ref, descriptor, what));
  }

  private byte[] fetchSmall(Endpoint target, Reference ref, Descriptor descriptor, String what) {
    URI uri = target.uri("blobs/" + descriptor.digest());
    try (Reply response = transport.exchange(target, RegistryTransport.pullScope(ref), () -> transport.request(uri).GET())) {
      if (response.status() != 200) {
        throw transport.failure(response, target, what);
      }
      byte[] bytes = RegistryTransport.readCapped(response.body(), MAX_MANIFEST_BYTES, what);
      if (bytes.length != descriptor.size()) {
        throw new BerthException.InvalidArgument(
            what + " has " + bytes.length + " bytes, expected " + descriptor.size());
      }
      Digest actual = Digest.of(bytes);
      if (!actual.equals(descriptor.digest())) {
        throw RegistryTransport.mismatch(what, descriptor.digest(), actual);
      }
      return bytes;
    } catch (IOException e) {
      throw RegistryTransport.unreachable(target, "reading " + what, e);
    }
  }

  ContentStore.Stored fetch(Reference ref, Descriptor descriptor, ContentStore store, LongConsumer progress) {
    return retrying(ref, descriptor, () -> store.write(
        descriptor.digest(), descriptor.size(), descriptor.size(), source(ref, descriptor), progress));
  }

  ContentStore.Source source(Reference ref, Descriptor descriptor) {
    String what = "blob " + descriptor.digest() + " of " + ref.familiar();
    return () -> endpoints.first(ref.name(), transport.pullTargets(ref), what, target -> {
      URI uri = target.uri("blobs/" + descriptor.digest());
      Reply response = transport.exchange(target, RegistryTransport.pullScope(ref), () -> transport.request(uri).GET());
      if (response.status() != 200) {
        try (response) {
          throw transport.failure(response, target, what);
        }
      }
      return response.body();
    });
  }

  <T> T retrying(Reference ref, Descriptor descriptor, Download<T> download) {
    for (int attempt = 1; ; attempt++) {
      IOException lost;
      try {
        return download.run();
      } catch (ContentStore.SourceFailedException e) {
        lost = e.getCause();
      } catch (IOException e) {
        lost = e;
      }
      if (attempt >= transport.settings().maxAttempts()) {
        throw RegistryTransport.unreachable(transport.target(ref),
            "downloading blob " + descriptor.digest() + " of " + ref.familiar(), lost);
      }
      transport.backoff(attempt);
    }
  }

  List<ContentStore.Stored> fetchAll(
      Reference ref, List<Descriptor> blobs, ContentStore store, Consumer<BlobProgress> listener) {
    Semaphore slots = new Semaphore(transport.settings().maxConcurrentDownloads());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletionService<ContentStore.Stored> done = new ExecutorCompletionService<>(pool);
      List<Future<ContentStore.Stored>> futures = new ArrayList<>();
      for (Descriptor blob : blobs) {
        futures.add(done.submit(() -> fetchOne(ref, blob, store, listener, slots)));
      }
      // Taken in completion order, so the first failure cancels the rest at once.
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          if (e.getCause() instanceof RuntimeException runtime) {
            throw runtime;
          }
          throw new BerthException.Unavailable(
              "fetching the layers of " + ref.familiar() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          futures.forEach(f -> f.cancel(true));
          Thread.currentThread().interrupt();
          throw new BerthException.Unavailable("fetching the layers of " + ref.familiar()
              + " was interrupted", e);
        }
      }
      return futures.stream().map(Future::resultNow).toList();
    }
  }

  private ContentStore.Stored fetchOne(
      Reference ref, Descriptor blob, ContentStore store, Consumer<BlobProgress> listener,
      Semaphore slots) throws InterruptedException, IOException {
    Digest digest = blob.digest();
    if (store.exists(digest)) {
      listener.accept(new BlobProgress.AlreadyPresent(digest, blob.size()));
      return new ContentStore.Stored(digest, store.size(digest), false);
    }
    slots.acquire();
    try {
      listener.accept(new BlobProgress.Started(digest, blob.size()));
      long[] lastReported = {0};
      ContentStore.Stored stored =
          fetch(ref, blob, store, current -> {
            if (current - lastReported[0] >= PROGRESS_STEP || current == blob.size()) {
              lastReported[0] = current;
              listener.accept(new BlobProgress.Downloading(digest, current, blob.size()));
            }
          });
      listener.accept(new BlobProgress.Completed(digest, stored.size()));
      return stored;
    } catch (RuntimeException e) {
      listener.accept(new BlobProgress.Failed(digest, e.getMessage()));
      throw e;
    } finally {
      slots.release();
    }
  }
}
