package dev.berth.engine.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A client of the OCI distribution API (registry v2) over the JDK's HttpClient: ping, manifests,
 * blobs into the {@link ContentStore}, and push. Handles anonymous, basic and bearer-token auth
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

  private static final long PROGRESS_STEP = 256 * 1024;
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final int MAX_REDIRECTS = 5;
  private static final String USER_AGENT = "berth/" + BerthVersion.version();

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

  private record Token(String value, Instant expires) {}

  private final Settings settings;
  private final HttpClient http;
  private final PullEndpoints endpoints = new PullEndpoints();
  /** The last challenge per registry host: later requests authenticate up front. */
  private final ConcurrentHashMap<String, AuthChallenge> challenges = new ConcurrentHashMap<>();

  /** Bearer tokens per registry host and scope set. */
  private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();

  static {
    // The JDK client reads responses in 16 KiB buffers by default, each handed between threads;
    // 256 KiB ones about halve the CPU a layer download costs (measured on loopback). The JDK
    // reads it once, when its client classes load, so it is set before the first HttpClient is
    // built. An explicit setting wins.
    if (System.getProperty("jdk.httpclient.bufsize") == null) {
      System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
    }
  }

  public RegistryClient(Settings settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(15))
            // Redirects are followed by hand: the registry's Authorization must not go to
            // another host (blob storage such as S3 rejects a second auth scheme).
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public void close() {
    http.close();
  }

  // ---------------------------------------------------------------- ping

  /**
   * Checks that the registry answers the v2 API and, if it asks, that the credentials for it
   * are accepted (as {@code docker login} does).
   *
   * @param domain the registry as users write it, such as {@code localhost:5000}
   */
  public void ping(String domain) {
    Endpoint target = target(domain, null);
    try (Reply response =
        exchange(target, List.of(), () -> request(target.base()).GET())) {
      if (response.status() != 200) {
        throw failure(response, target, "registry " + domain);
      }
    }
  }

  // ---------------------------------------------------------------- manifests

  /**
   * Fetches what the reference names (by digest when it has one, else by tag), from the first of
   * its registry's mirrors that has it, else from the registry.
   */
  public FetchedManifest fetchManifest(Reference ref) {
    return endpoints.first(ref.name(), pullTargets(ref), "manifest " + ref.familiar(),
        target -> fetchManifest(target, ref));
  }

  private FetchedManifest fetchManifest(Endpoint target, Reference ref) {
    URI uri = target.uri("manifests/" + ref.manifestRef());
    try (Reply response =
        exchange(target, pull(ref), () -> request(uri).GET()
            .header("Accept", String.join(", ", MediaTypes.MANIFESTS)))) {
      if (response.status() != 200) {
        throw failure(response, target, "manifest " + ref.familiar());
      }
      byte[] bytes = readCapped(response.body(), MAX_MANIFEST_BYTES, "manifest " + ref.familiar());
      Digest digest = Digest.of(bytes);
      if (ref.digest() != null && !ref.digest().equals(digest)) {
        throw mismatch("manifest " + ref.familiar(), ref.digest(), digest);
      }
      Optional<String> claimed = response.headers().firstValue("Docker-Content-Digest");
      if (claimed.isPresent() && claimed.get().startsWith("sha256:")
          && !claimed.get().equals(digest.toString())) {
        throw mismatch("manifest " + ref.familiar(), Digest.parse(claimed.get()), digest);
      }
      return parseManifest(ref, digest, bytes, response.headers().firstValue("Content-Type"));
    } catch (IOException e) {
      throw unreachable(target, "reading manifest " + ref.familiar(), e);
    }
  }

  /**
   * Resolves a reference to one image manifest: follows an index to the entry for {@code
   * platform}. {@link BerthException.NotFound} lists the available platforms if none fits.
   */
  public FetchedManifest.Resolved resolve(Reference ref, Platform platform) {
    FetchedManifest top = fetchManifest(ref);
    return switch (top) {
      case FetchedManifest.Image image -> new FetchedManifest.Resolved(top, image);
      case FetchedManifest.Index index -> {
        Descriptor chosen = index.index().select(platform, ref.familiar());
        FetchedManifest child = fetchManifest(ref.withDigest(chosen.digest()));
        if (!(child instanceof FetchedManifest.Image image)) {
          throw new BerthException.InvalidArgument(
              "the index of " + ref.familiar() + " points to another index for " + platform
                  + "; nested indexes are not supported");
        }
        yield new FetchedManifest.Resolved(top, image);
      }
    };
  }

  private static FetchedManifest parseManifest(
      Reference ref, Digest digest, byte[] bytes, Optional<String> contentType) {
    String what = "manifest of " + ref.familiar();
    JsonNode json = ImageJson.read(bytes, JsonNode.class, what);
    String mediaType = contentType.map(t -> t.split(";")[0].strip().toLowerCase(Locale.ROOT))
        .filter(t -> MediaTypes.isIndex(t) || MediaTypes.isManifest(t))
        .orElseGet(() -> json.path("mediaType").asText(""));
    if (mediaType.isEmpty()) {
      // OCI allows omitting mediaType; the shape tells the kind.
      mediaType = json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }
    if (MediaTypes.isIndex(mediaType)) {
      return new FetchedManifest.Index(
          digest, mediaType, bytes, ImageJson.read(bytes, ImageIndex.class, what));
    }
    if (MediaTypes.isManifest(mediaType)) {
      return new FetchedManifest.Image(
          digest, mediaType, bytes, ImageJson.read(bytes, ImageManifest.class, what));
    }
    throw new BerthException.InvalidArgument(
        ref.familiar() + " is a " + mediaType + ", not an image Berth can run "
            + "(schema 1 manifests and other artifacts are not supported)");
  }

  // ---------------------------------------------------------------- blobs

  /**
   * Fetches a small blob (an image config) whole, verified against the descriptor; at most
   * {@link #MAX_MANIFEST_BYTES}.
   */
  public byte[] fetchSmallBlob(Reference ref, Descriptor descriptor) {
    String what = "blob " + descriptor.digest() + " of " + ref.familiar();
    if (descriptor.size() > MAX_MANIFEST_BYTES) {
      throw new BerthException.InvalidArgument(
          what + " declares " + descriptor.size() + " bytes, more than the "
              + MAX_MANIFEST_BYTES + " allowed for a config");
    }
    return endpoints.first(ref.name(), pullTargets(ref), what,
        target -> fetchSmallBlob(target, ref, descriptor, what));
  }

  private byte[] fetchSmallBlob(Endpoint target, Reference ref, Descriptor descriptor, String what) {
    URI uri = target.uri("blobs/" + descriptor.digest());
    try (Reply response = exchange(target, pull(ref), () -> request(uri).GET())) {
      if (response.status() != 200) {
        throw failure(response, target, what);
      }
      byte[] bytes = readCapped(response.body(), MAX_MANIFEST_BYTES, what);
      if (bytes.length != descriptor.size()) {
        throw new BerthException.InvalidArgument(
            what + " has " + bytes.length + " bytes, expected " + descriptor.size());
      }
      Digest actual = Digest.of(bytes);
      if (!actual.equals(descriptor.digest())) {
        throw mismatch(what, descriptor.digest(), actual);
      }
      return bytes;
    } catch (IOException e) {
      throw unreachable(target, "reading " + what, e);
    }
  }

  /**
   * Downloads one blob into the store, verified, unless it is there already.
   *
   * @param progress told the bytes stored so far
   */
  public ContentStore.Stored fetchBlob(
      Reference ref, Descriptor descriptor, ContentStore store, LongConsumer progress) {
    return retryingDownload(ref, descriptor, () -> store.write(
        descriptor.digest(), descriptor.size(), descriptor.size(), blobSource(ref, descriptor), progress));
  }

  /** The body of a blob GET, opened when called (the response status already checked). */
  public ContentStore.Source blobSource(Reference ref, Descriptor descriptor) {
    String what = "blob " + descriptor.digest() + " of " + ref.familiar();
    return () -> endpoints.first(ref.name(), pullTargets(ref), what, target -> {
      URI uri = target.uri("blobs/" + descriptor.digest());
      Reply response = exchange(target, pull(ref), () -> request(uri).GET());
      if (response.status() != 200) {
        try (response) {
          throw failure(response, target, what);
        }
      }
      return response.body();
    });
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
    for (int attempt = 1; ; attempt++) {
      IOException lost;
      try {
        return download.run();
      } catch (ContentStore.SourceFailedException e) {
        lost = e.getCause();
      } catch (IOException e) {
        lost = e;
      }
      if (attempt >= settings.maxAttempts()) {
        throw unreachable(target(ref), "downloading blob " + descriptor.digest() + " of " + ref.familiar(), lost);
      }
      backoff(attempt);
    }
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
    Semaphore slots = new Semaphore(settings.maxConcurrentDownloads());
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
          fetchBlob(ref, blob, store, current -> {
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

  // ---------------------------------------------------------------- push

  /** Whether the repository already holds the blob. */
  public boolean blobExists(Reference ref, Digest digest) {
    Endpoint target = target(ref);
    URI uri = target.uri("blobs/" + digest);
    try (Reply response =
        exchange(target, push(ref, null), () -> request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()))) {
      return switch (response.status()) {
        case 200 -> true;
        case 404 -> false;
        default -> throw failure(response, target, "blob " + digest + " in " + ref.name());
      };
    }
  }

  /**
   * Pushes a blob from the store unless the repository has it: mounted from {@code mountFrom}
   * (another repository of the same registry, or null) when the registry agrees, else uploaded
   * in one piece.
   */
  public PushOutcome pushBlob(
      Reference ref, Descriptor descriptor, ContentStore store, String mountFrom) {
    Digest digest = descriptor.digest();
    if (blobExists(ref, digest)) {
      return PushOutcome.ALREADY_EXISTS;
    }
    Endpoint target = target(ref);
    String what = "upload of blob " + digest + " to " + ref.name();
    List<String> scopes = push(ref, mountFrom);
    URI start = target.uri("blobs/uploads/"
        + (mountFrom != null ? "?mount=" + encode(digest.toString()) + "&from=" + encode(mountFrom) : ""));
    URI location;
    try (Reply response =
        exchange(target, scopes, () -> request(start).POST(HttpRequest.BodyPublishers.noBody()))) {
      if (response.status() == 201 && mountFrom != null) {
        return PushOutcome.MOUNTED;
      }
      if (response.status() != 202) {
        throw failure(response, target, what);
      }
      location = uploadLocation(start, response, what);
    }
    URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&")
        + "digest=" + encode(digest.toString()));
    long size = descriptor.size();
    try (Reply response =
        exchange(target, scopes, () -> request(put)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> openBlob(store, digest)), size)))) {
      if (response.status() != 201) {
        throw failure(response, target, what);
      }
    }
    return PushOutcome.UPLOADED;
  }

  /**
   * Puts a manifest (or index) under the reference's tag, or its digest when it has no tag.
   *
   * @return the digest of the bytes sent
   */
  public Digest pushManifest(Reference ref, String mediaType, byte[] bytes) {
    Endpoint target = target(ref);
    Digest digest = Digest.of(bytes);
    if (ref.digest() != null && !ref.digest().equals(digest)) {
      throw mismatch("manifest for " + ref.familiar(), ref.digest(), digest);
    }
    String name = ref.tag() != null ? ref.tag() : digest.toString();
    URI uri = target.uri("manifests/" + name);
    try (Reply response =
        exchange(target, push(ref, null), () -> request(uri)
            .header("Content-Type", mediaType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)))) {
      if (response.status() != 201) {
        throw failure(response, target, "push of manifest " + ref.familiar());
      }
    }
    return digest;
  }

  private static InputStream openBlob(ContentStore store, Digest digest) {
    try {
      return store.open(digest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URI uploadLocation(URI start, Reply response, String what) {
    String location = response.headers().firstValue("Location").orElseThrow(
        () -> new BerthException.Unavailable(what + " failed: the registry sent no Location"));
    return start.resolve(location);
  }

  // ---------------------------------------------------------------- transport and auth

  private Endpoint target(Reference ref) {
    return target(ref.domain(), ref.repository());
  }

  private Endpoint target(String domain, String repository) {
    String host = Reference.registryHost(domain);
    return new Endpoint(domain, host, plainHttp(host) ? "http" : "https", repository, null);
  }

  /** Where a pull of {@code ref} asks: its registry's mirrors in order, then the registry. */
  private List<Endpoint> pullTargets(Reference ref) {
    List<Endpoint> targets = new ArrayList<>();
    for (URI mirror : settings.mirrors().of(ref.domain())) {
      targets.add(new Endpoint(mirror.getRawAuthority(), mirror.getRawAuthority(), mirror.getScheme(),
          ref.repository(), ref.domain()));
    }
    targets.add(target(ref));
    return targets;
  }

  /** A response whose body is closed by try-with-resources. */
  private record Reply(HttpResponse<InputStream> response) implements AutoCloseable {
    int status() {
      return response.statusCode();
    }

    InputStream body() {
      return response.body();
    }

    java.net.http.HttpHeaders headers() {
      return response.headers();
    }

    @Override
    public void close() {
      RegistryClient.close(response);
    }
  }

  /** The timeout covers the wait for response headers, not a long blob body. */
  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(settings.requestTimeout())
        .header("User-Agent", USER_AGENT);
  }

  private static List<String> pull(Reference ref) {
    return List.of("repository:" + ref.repository() + ":pull");
  }

  private static List<String> push(Reference ref, String mountFrom) {
    List<String> scopes = new ArrayList<>();
    scopes.add("repository:" + ref.repository() + ":pull,push");
    if (mountFrom != null && !mountFrom.equals(ref.repository())) {
      scopes.add("repository:" + mountFrom + ":pull");
    }
    return scopes;
  }

  /**
   * Sends a request, authenticating as the registry asks and retrying connect errors, 5xx and
   * 429. The caller closes the response. Other statuses are returned for the caller to judge.
   */
  private Reply exchange(
      Endpoint target, List<String> scopes, Supplier<HttpRequest.Builder> request) {
    boolean reauthenticated = false;
    // A mirror gets one try: its failure falls through to the next mirror or the registry.
    int maxAttempts = target.mirror() ? 1 : settings.maxAttempts();
    int attempt = 0;
    while (true) {
      attempt++;
      HttpRequest.Builder builder = request.get();
      authorization(target, scopes).ifPresent(value -> builder.header("Authorization", value));
      HttpRequest built = builder.build();
      HttpResponse<InputStream> response;
      try {
        response = sendFollowingRedirects(built);
      } catch (IOException e) {
        if (attempt < maxAttempts) {
          backoff(attempt);
          continue;
        }
        throw unreachable(target, built.method() + " " + built.uri().getPath(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BerthException.Unavailable("interrupted talking to " + target.domain(), e);
      }
      int status = response.statusCode();
      if (status == 401 && !reauthenticated) {
        AuthChallenge challenge =
            AuthChallenge.parseFirst(response.headers().allValues("WWW-Authenticate"));
        if (challenge != null) {
          close(response);
          challenges.put(target.host(), challenge);
          tokens.remove(tokenKey(target, scopes));
          reauthenticated = true;
          attempt--; // An auth round trip is not a failed try.
          continue;
        }
      }
      if ((status >= 500 || status == 429) && attempt < maxAttempts) {
        close(response);
        backoff(attempt);
        continue;
      }
      return new Reply(response);
    }
  }

  private HttpResponse<InputStream> sendFollowingRedirects(HttpRequest request)
      throws IOException, InterruptedException {
    HttpRequest current = request;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> response =
          http.send(current, HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      Optional<String> location = response.headers().firstValue("Location");
      boolean redirect = status == 301 || status == 302 || status == 303 || status == 307
          || status == 308;
      if (!redirect || location.isEmpty() || hop == MAX_REDIRECTS) {
        return response;
      }
      close(response);
      URI next = current.uri().resolve(location.get());
      if ("http".equals(next.getScheme()) && !"http".equals(current.uri().getScheme())
          && !plainHttp(next.getAuthority())) {
        throw new BerthException.Unavailable("registry " + request.uri().getAuthority()
            + " redirected from HTTPS to plain HTTP (" + next.getAuthority() + "); refusing");
      }
      boolean sameHost = next.getAuthority().equals(request.uri().getAuthority());
      current = HttpRequest.newBuilder(current,
              (name, _) -> sameHost || !name.equalsIgnoreCase("Authorization"))
          .uri(next)
          .build();
    }
  }

  private boolean plainHttp(String host) {
    return usesPlainHttp(host, settings.insecureRegistries());
  }

  /** Plain HTTP only for loopback and registries the admin marked insecure; else HTTPS. */
  public static boolean usesPlainHttp(String host, Set<String> insecureRegistries) {
    String bare = host.startsWith("[")
        ? host.substring(0, host.indexOf(']') + 1)
        : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    return bare.equals("localhost") || bare.equals("[::1]") || bare.matches("127(\\.\\d{1,3}){3}")
        || insecureRegistries.contains(host) || insecureRegistries.contains(bare);
  }

  private Optional<String> authorization(Endpoint target, List<String> scopes) {
    AuthChallenge challenge = challenges.get(target.host());
    if (challenge == null) {
      return Optional.empty();
    }
    Optional<BasicCredentials> credentials = credentialsFor(target);
    if (challenge.scheme().equals("basic")) {
      return credentials.map(RegistryClient::basic);
    }
    String key = tokenKey(target, scopes);
    Token token = tokens.get(key);
    if (token == null || Instant.now().isAfter(token.expires())) {
      token = fetchToken(target, challenge, scopes, credentials);
      tokens.put(key, token);
    }
    return Optional.of("Bearer " + token.value());
  }

  private Token fetchToken(
      Endpoint target, AuthChallenge challenge, List<String> scopes,
      Optional<BasicCredentials> credentials) {
    if (challenge.realm() == null) {
      throw new BerthException.Unavailable(
          "registry " + target.domain() + " asked for a bearer token but named no realm");
    }
    StringJoiner query = new StringJoiner("&");
    if (challenge.service() != null) {
      query.add("service=" + encode(challenge.service()));
    }
    scopes.forEach(scope -> query.add("scope=" + encode(scope)));
    URI realm = URI.create(challenge.realm());
    URI uri = URI.create(realm + (realm.getRawQuery() == null ? "?" : "&") + query);
    if (!"https".equals(uri.getScheme()) && !plainHttp(uri.getAuthority())) {
      throw new BerthException.Unavailable("registry " + target.domain()
          + " sends credentials to the plain-HTTP token service " + realm
          + "; refusing (add that host to insecure-registries if you trust it)");
    }
    HttpRequest.Builder builder = request(uri).GET();
    credentials.ifPresent(c -> builder.header("Authorization", basic(c)));
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        String hint = credentials.isPresent()
            ? "the credentials for " + target.domain() + " were rejected; run 'berth login "
                + target.domain() + "' again"
            : "log in with 'berth login " + target.domain() + "'";
        throw new BerthException.InvalidArgument("the token service " + realm.getHost()
            + " of " + target.domain() + " answered " + response.statusCode() + "; " + hint);
      }
      JsonNode json = ImageJson.read(response.body(), JsonNode.class, "token from " + realm);
      String value = json.path("token").asText(json.path("access_token").asText(""));
      if (value.isEmpty()) {
        throw new BerthException.Unavailable("the token service " + realm + " sent no token");
      }
      long lifetime = json.path("expires_in").asLong(60);
      // Renew a little early so a token does not expire between check and use.
      return new Token(value, Instant.now().plusSeconds(Math.max(lifetime - 10, 1)));
    } catch (IOException e) {
      throw unreachable(target, "getting a token from " + realm, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("interrupted getting a token from " + realm, e);
    }
  }

  /**
   * A request's credentials are for the registry it names: a mirror is asked anonymously, so a
   * login never reaches a host the user did not send it to (docs/decisions/1300).
   */
  private Optional<BasicCredentials> credentialsFor(Endpoint target) {
    return target.mirror() ? Optional.empty() : settings.credentials().apply(target.domain());
  }

  private static String tokenKey(Endpoint target, List<String> scopes) {
    return target.host() + " " + String.join(" ", scopes.stream().sorted().toList());
  }

  private static String basic(BasicCredentials c) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }

  private void backoff(int attempt) {
    try {
      Thread.sleep(settings.initialBackoff().multipliedBy(1L << (attempt - 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("interrupted while retrying a registry request", e);
    }
  }

  // ---------------------------------------------------------------- errors

  /** Turns an unexpected response into the engine's exception, with the registry's message. */
  private BerthException failure(Reply response, Endpoint target, String what) {
    int status = response.status();
    String detail = registryMessage(response);
    String said = "registry " + target.display() + " answered " + status
        + (detail.isEmpty() ? "" : " (" + detail + ")");
    return switch (status) {
      case 401, 403 -> {
        boolean haveCredentials = credentialsFor(target).isPresent();
        yield new BerthException.InvalidArgument("access to " + what + " denied: " + said + "; "
            + (haveCredentials
                ? "check that the credentials for " + target.domain() + " may access it"
                : "log in with 'berth login " + target.domain() + "' if it is private"));
      }
      case 404 -> new BerthException.NotFound(what + " not found: " + said);
      default -> status >= 500 || status == 429
          ? new BerthException.Unavailable(what + " failed after " + (target.mirror() ? 1 : settings.maxAttempts())
              + " tries: " + said + "; try again later")
          : new BerthException.InvalidArgument(what + " failed: " + said);
    };
  }

  private static String registryMessage(Reply response) {
    try (InputStream body = response.body()) {
      byte[] bytes = body.readNBytes(MAX_ERROR_BODY);
      if (bytes.length == 0) {
        return "";
      }
      JsonNode errors = ImageJson.MAPPER.readTree(bytes).path("errors");
      List<String> messages = new ArrayList<>();
      for (JsonNode error : errors) {
        messages.add(error.path("code").asText() + ": " + error.path("message").asText());
      }
      return String.join("; ", messages);
    } catch (IOException | RuntimeException notJson) {
      return "";
    }
  }

  private static BerthException.InvalidArgument mismatch(String what, Digest expected, Digest actual) {
    return new BerthException.InvalidArgument("digest mismatch for " + what + ": expected "
        + expected + " but the content hashes to " + actual + "; the registry sent other bytes");
  }

  private static BerthException.Unavailable unreachable(Endpoint target, String doing, Exception e) {
    return new BerthException.Unavailable("registry " + target.display() + " failed while "
        + doing + ": " + describe(e) + "; check that it is reachable", e);
  }

  /** JDK HttpClient's connection errors often carry no message of their own, only a cause or a type. */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.net.http.HttpTimeoutException) {
        return "timed out";
      }
    }
    return e.getClass().getSimpleName();
  }

  private static byte[] readCapped(InputStream in, int max, String what) throws IOException {
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      throw new BerthException.InvalidArgument(what + " is larger than " + max + " bytes");
    }
    return bytes;
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // The connection is dropped either way.
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
