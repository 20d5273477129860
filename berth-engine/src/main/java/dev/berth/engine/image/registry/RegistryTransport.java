package dev.berth.engine.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * HTTP with a registry: where a request goes (the registry, or its mirrors for a pull; plain
 * HTTP only for loopback and insecure registries), sending it authenticated ({@link
 * RegistryAuth}) with retries of connect errors, 5xx and 429, redirects followed by hand, and
 * an unexpected answer turned into the engine's exception with the registry's message.
 */
final class RegistryTransport implements AutoCloseable {
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final int MAX_REDIRECTS = 5;
  private static final String USER_AGENT = "berth/" + BerthVersion.version();

  static {
    // The JDK client reads responses in 16 KiB buffers by default, each handed between threads;
    // 256 KiB ones about halve the CPU a layer download costs (measured on loopback). The JDK
    // reads it once, when its client classes load, so it is set before the first HttpClient is
    // built. An explicit setting wins.
    if (System.getProperty("jdk.httpclient.bufsize") == null) {
      System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
    }
  }

  private final RegistryClient.Settings settings;
  private final HttpClient http;
  private final RegistryAuth auth;

  RegistryTransport(RegistryClient.Settings settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(15))
            // Redirects are followed by hand: the registry's Authorization must not go to
            // another host (blob storage such as S3 rejects a second auth scheme).
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.auth = new RegistryAuth(settings.credentials(), http, this::request, this::plainHttp);
  }

  @Override
  public void close() {
    http.close();
  }

  RegistryClient.Settings settings() {
    return settings;
  }

  // ---------------------------------------------------------------- where

  Endpoint target(Reference ref) {
    return target(ref.domain(), ref.repository());
  }

  Endpoint target(String domain, String repository) {
    String host = Reference.registryHost(domain);
    return new Endpoint(domain, host, plainHttp(host) ? "http" : "https", repository, null);
  }

  /** Where a pull of {@code ref} asks: its registry's mirrors in order, then the registry. */
  List<Endpoint> pullTargets(Reference ref) {
    List<Endpoint> targets = new ArrayList<>();
    for (URI mirror : settings.mirrors().of(ref.domain())) {
      targets.add(new Endpoint(mirror.getRawAuthority(), mirror.getRawAuthority(), mirror.getScheme(),
          ref.repository(), ref.domain()));
    }
    targets.add(target(ref));
    return targets;
  }

  private boolean plainHttp(String host) {
    return RegistryClient.usesPlainHttp(host, settings.insecureRegistries());
  }

  static List<String> pullScope(Reference ref) {
    return List.of("repository:" + ref.repository() + ":pull");
  }

  static List<String> pushScope(Reference ref, String mountFrom) {
    List<String> scopes = new ArrayList<>();
    scopes.add("repository:" + ref.repository() + ":pull,push");
    if (mountFrom != null && !mountFrom.equals(ref.repository())) {
      scopes.add("repository:" + mountFrom + ":pull");
    }
    return scopes;
  }

  // ---------------------------------------------------------------- sending

  /** A response whose body is closed by try-with-resources. */
  record Reply(HttpResponse<InputStream> response) implements AutoCloseable {
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
      RegistryTransport.close(response);
    }
  }

  /** The timeout covers the wait for response headers, not a long blob body. */
  HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(settings.requestTimeout())
        .header("User-Agent", USER_AGENT);
  }

  /**
   * Sends a request, authenticating as the registry asks and retrying connect errors, 5xx and
   * 429. The caller closes the response. Other statuses are returned for the caller to judge.
   */
  Reply exchange(
      Endpoint target, List<String> scopes, Supplier<HttpRequest.Builder> request) {
    boolean reauthenticated = false;
    // A mirror gets one try: its failure falls through to the next mirror or the registry.
    int maxAttempts = target.mirror() ? 1 : settings.maxAttempts();
    int attempt = 0;
    while (true) {
      attempt++;
      HttpRequest.Builder builder = request.get();
      auth.authorization(target, scopes).ifPresent(value -> builder.header("Authorization", value));
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
          auth.challenged(target, scopes, challenge);
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

  void backoff(int attempt) {
    try {
      Thread.sleep(settings.initialBackoff().multipliedBy(1L << (attempt - 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("interrupted while retrying a registry request", e);
    }
  }

  // ---------------------------------------------------------------- errors

  /** Turns an unexpected response into the engine's exception, with the registry's message. */
  BerthException failure(Reply response, Endpoint target, String what) {
    int status = response.status();
    String detail = registryMessage(response);
    String said = "registry " + target.display() + " answered " + status
        + (detail.isEmpty() ? "" : " (" + detail + ")");
    return switch (status) {
      case 401, 403 -> {
        boolean haveCredentials = auth.credentialsFor(target).isPresent();
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

  static BerthException.InvalidArgument mismatch(String what, Digest expected, Digest actual) {
    return new BerthException.InvalidArgument("digest mismatch for " + what + ": expected "
        + expected + " but the content hashes to " + actual + "; the registry sent other bytes");
  }

  static BerthException.Unavailable unreachable(Endpoint target, String doing, Exception e) {
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

  static byte[] readCapped(InputStream in, int max, String what) throws IOException {
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

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
