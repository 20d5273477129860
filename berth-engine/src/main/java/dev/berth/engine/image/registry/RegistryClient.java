package dev.berth.engine.image.registry;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * A client of the OCI distribution API (registry v2) over the JDK's HttpClient: ping, manifests
 * ({@link RegistryManifests}), blobs into the {@link ContentStore} ({@link RegistryBlobs}), and
 * push ({@link RegistryPush}), over one {@link RegistryTransport} with its {@link RegistryAuth}. Handles anonymous, basic and bearer-token auth
 * (tokens cached per scope), retries connect errors, 5xx and 429 with backoff, and verifies
 * every digest. Plain HTTP is used only for loopback hosts and configured insecure registries.
 * Pulls ask the registry's mirrors first, in order ({@link RegistryMirrors}, {@link
 * PullEndpoints}); push and login go to the registry only.
 *
 * <p>Thread-safe; one instance per engine, closed with it.
 */
public final class RegistryClient implements AutoCloseable {
  /** Manifests and configs are small; a larger one is a broken or hostile registry. */
  public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  /**
   * How the client behaves.
   *
   * @param insecureRegistries registries ({@code host[:port]}) spoken to over plain HTTP
   * @param credentials credentials for a registry domain as users write it ({@code docker.io},
   *     {@code localhost:5000}); empty for anonymous
   * @param maxAttempts tries per request for connect errors, 5xx and 429
   * @param initialBackoff the wait before the second try; doubled for each further one
   * @param maxConcurrentDownloads blobs downloaded at once by {@link #fetchBlobs}
   * @param requestTimeout the longest wait for response headers
   * @param mirrors mirrors per registry, tried in order before the registry when pulling
   */
  public record Settings(
      Set<String> insecureRegistries,
      Function<String, Optional<BasicCredentials>> credentials,
      int maxAttempts,
      Duration initialBackoff,
      int maxConcurrentDownloads,
      Duration requestTimeout,
      RegistryMirrors mirrors) {
    public Settings {
      insecureRegistries = Set.copyOf(insecureRegistries);
      mirrors = mirrors == null ? RegistryMirrors.NONE : mirrors;
      if (maxAttempts < 1 || maxConcurrentDownloads < 1) {
        throw new IllegalArgumentException("maxAttempts and maxConcurrentDownloads must be >= 1");
      }
    }

    /** Without mirrors. */
    public Settings(Set<String> insecureRegistries, Function<String, Optional<BasicCredentials>> credentials,
        int maxAttempts, Duration initialBackoff, int maxConcurrentDownloads, Duration requestTimeout) {
      this(insecureRegistries, credentials, maxAttempts, initialBackoff, maxConcurrentDownloads, requestTimeout,
          RegistryMirrors.NONE);
    }

    /** Six blobs at once, as skopeo and Podman (containers/image) download; Docker's default is three. */
    public static Settings defaults() {
      return new Settings(
          Set.of(), _ -> Optional.empty(), 3, Duration.ofMillis(200), 6, Duration.ofSeconds(60));
    }

    public Settings withCredentials(Function<String, Optional<BasicCredentials>> lookup) {
      return new Settings(insecureRegistries, lookup, maxAttempts, initialBackoff,
          maxConcurrentDownloads, requestTimeout, mirrors);
    }

    public Settings withInsecureRegistries(Set<String> registries) {
      return new Settings(registries, credentials, maxAttempts, initialBackoff,
          maxConcurrentDownloads, requestTimeout, mirrors);
    }

    public Settings withMirrors(RegistryMirrors table) {
      return new Settings(insecureRegistries, credentials, maxAttempts, initialBackoff,
          maxConcurrentDownloads, requestTimeout, table);
    }
  }

  /** What {@link #pushBlob} did. */
  public enum PushOutcome {
    ALREADY_EXISTS,
    MOUNTED,
    UPLOADED
  }

  private final Settings settings;
  private final RegistryTransport transport;
  private final RegistryManifests manifests;
  private final RegistryBlobs blobs;
  private final RegistryPush push;

  public RegistryClient(Settings settings) {
    this.settings = settings;
    this.transport = new RegistryTransport(settings);
    PullEndpoints endpoints = new PullEndpoints();
    this.manifests = new RegistryManifests(transport, endpoints);
    this.blobs = new RegistryBlobs(transport, endpoints);
    this.push = new RegistryPush(transport);
  }

  @Override
  public void close() {
    transport.close();
  }

  // ---------------------------------------------------------------- ping

  /**
   * Checks that the registry answers the v2 API and, if it asks, that the credentials for it
   * are accepted (as {@code docker login} does).
   *
   * @param domain the registry as users write it, such as {@code localhost:5000}
   */
  public void ping(String domain) {
    Endpoint target = transport.target(domain, null);
    try (RegistryTransport.Reply response =
        transport.exchange(target, List.of(), () -> transport.request(target.base()).GET())) {
      if (response.status() != 200) {
        throw transport.failure(response, target, "registry " + domain);
      }
    }
  }

  // ---------------------------------------------------------------- manifests

  /**
   * Fetches what the reference names (by digest when it has one, else by tag), from the first of
   * its registry's mirrors that has it, else from the registry.
   */
  public FetchedManifest fetchManifest(Reference ref) {
    return manifests.fetch(ref);
  }

  /**
   * Resolves a reference to one image manifest: follows an index to the entry for {@code
   * platform}. {@link BerthException.NotFound} lists the available platforms if none fits.
   */
  public FetchedManifest.Resolved resolve(Reference ref, Platform platform) {
    return manifests.resolve(ref, platform);
  }

  // ---------------------------------------------------------------- blobs

  /**
   * Fetches a small blob (an image config) whole, verified against the descriptor; at most
   * {@link #MAX_MANIFEST_BYTES}.
   */
  public byte[] fetchSmallBlob(Reference ref, Descriptor descriptor) {
    return blobs.fetchSmall(ref, descriptor);
  }

  /**
   * Downloads one blob into the store, verified, unless it is there already.
   *
   * @param progress told the bytes stored so far
   */
  public ContentStore.Stored fetchBlob(
      Reference ref, Descriptor descriptor, ContentStore store, LongConsumer progress) {
    return blobs.fetch(ref, descriptor, store, progress);
  }

  /** The body of a blob GET, opened when called (the response status already checked). */
  public ContentStore.Source blobSource(Reference ref, Descriptor descriptor) {
    return blobs.source(ref, descriptor);
  }

  /** Something that downloads a blob and may lose its connection midway. */
  @FunctionalInterface
  public interface Download<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code download}, starting it over (a bounded number of times, with backoff) when the
   * connection is lost midway: an IOException, or a {@link ContentStore.SourceFailedException}
   * from a stream that stores while it is read.
   */
  public <T> T retryingDownload(Reference ref, Descriptor descriptor, Download<T> download) {
    return blobs.retrying(ref, descriptor, download);
  }

  /** Who this client is at {@code domain}: the credentials it would send there, if any. */
  public Optional<BasicCredentials> credentials(String domain) {
    return settings.credentials().apply(domain);
  }

  /** How many blobs are downloaded at once. */
  public int maxConcurrentDownloads() {
    return settings.maxConcurrentDownloads();
  }

  /**
   * Downloads blobs in parallel on virtual threads (at most {@link
   * Settings#maxConcurrentDownloads} at once), skipping those already stored. If one fails the
   * others are cancelled and the first failure is thrown.
   *
   * @param listener called from several threads; must be thread-safe
   */
  public List<ContentStore.Stored> fetchBlobs(
      Reference ref, List<Descriptor> blobs, ContentStore store, Consumer<BlobProgress> listener) {
    return this.blobs.fetchAll(ref, blobs, store, listener);
  }

  // ---------------------------------------------------------------- push

  /** Whether the repository already holds the blob. */
  public boolean blobExists(Reference ref, Digest digest) {
    return push.blobExists(ref, digest);
  }

  /**
   * Pushes a blob from the store unless the repository has it: mounted from {@code mountFrom}
   * (another repository of the same registry, or null) when the registry agrees, else uploaded
   * in one piece.
   */
  public PushOutcome pushBlob(
      Reference ref, Descriptor descriptor, ContentStore store, String mountFrom) {
    return push.pushBlob(ref, descriptor, store, mountFrom);
  }

  /**
   * Puts a manifest (or index) under the reference's tag, or its digest when it has no tag.
   *
   * @return the digest of the bytes sent
   */
  public Digest pushManifest(Reference ref, String mediaType, byte[] bytes) {
    return push.pushManifest(ref, mediaType, bytes);
  }

  /** Plain HTTP only for loopback and registries the admin marked insecure; else HTTPS. */
  public static boolean usesPlainHttp(String host, Set<String> insecureRegistries) {
    String bare = host.startsWith("[")
        ? host.substring(0, host.indexOf(']') + 1)
        : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    return bare.equals("localhost") || bare.equals("[::1]") || bare.matches("127(\\.\\d{1,3}){3}")
        || insecureRegistries.contains(host) || insecureRegistries.contains(bare);
  }
}
