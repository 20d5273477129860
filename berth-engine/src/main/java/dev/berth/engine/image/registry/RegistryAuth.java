package dev.berth.engine.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.image.ImageJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Registry authentication: the last challenge per registry host (later requests authenticate up
 * front), basic credentials, and bearer tokens from the registry's token service, cached per
 * host and scope set until shortly before they expire.
 */
final class RegistryAuth {
  private record Token(String value, Instant expires) {}

  private final Function<String, Optional<BasicCredentials>> credentials;
  private final HttpClient http;
  private final Function<URI, HttpRequest.Builder> request;
  private final Predicate<String> plainHttp;
  /** The last challenge per registry host. */
  private final ConcurrentHashMap<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
  /** Bearer tokens per registry host and scope set. */
  private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();

  /**
   * @param credentials credentials per registry domain
   * @param request a request with the client's timeout and User-Agent
   * @param plainHttp whether a host may be spoken to over plain HTTP
   */
  RegistryAuth(Function<String, Optional<BasicCredentials>> credentials, HttpClient http,
      Function<URI, HttpRequest.Builder> request, Predicate<String> plainHttp) {
    this.credentials = credentials;
    this.http = http;
    this.request = request;
    this.plainHttp = plainHttp;
  }

  /** The Authorization header for a request to {@code target}, once the registry has asked for one. */
  Optional<String> authorization(Endpoint target, List<String> scopes) {
    AuthChallenge challenge = challenges.get(target.host());
    if (challenge == null) {
      return Optional.empty();
    }
    Optional<BasicCredentials> credentials = credentialsFor(target);
    if (challenge.scheme().equals("basic")) {
      return credentials.map(RegistryAuth::basic);
    }
    String key = tokenKey(target, scopes);
    Token token = tokens.get(key);
    if (token == null || Instant.now().isAfter(token.expires())) {
      token = fetchToken(target, challenge, scopes, credentials);
      tokens.put(key, token);
    }
    return Optional.of("Bearer " + token.value());
  }

  /** A 401's challenge: remembered for the host, and the token for these scopes dropped. */
  void challenged(Endpoint target, List<String> scopes, AuthChallenge challenge) {
    challenges.put(target.host(), challenge);
    tokens.remove(tokenKey(target, scopes));
  }

  /**
   * A request's credentials are for the registry it names: a mirror is asked anonymously, so a
   * login never reaches a host the user did not send it to (docs/decisions/1300).
   */
  Optional<BasicCredentials> credentialsFor(Endpoint target) {
    return target.mirror() ? Optional.empty() : credentials.apply(target.domain());
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
      query.add("service=" + RegistryTransport.encode(challenge.service()));
    }
    scopes.forEach(scope -> query.add("scope=" + RegistryTransport.encode(scope)));
    URI realm = URI.create(challenge.realm());
    URI uri = URI.create(realm + (realm.getRawQuery() == null ? "?" : "&") + query);
    if (!"https".equals(uri.getScheme()) && !plainHttp.test(uri.getAuthority())) {
      throw new BerthException.Unavailable("registry " + target.domain()
          + " sends credentials to the plain-HTTP token service " + realm
          + "; refusing (add that host to insecure-registries if you trust it)");
    }
    HttpRequest.Builder builder = request.apply(uri).GET();
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
      throw RegistryTransport.unreachable(target, "getting a token from " + realm, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("interrupted getting a token from " + realm, e);
    }
  }

  private static String tokenKey(Endpoint target, List<String> scopes) {
    return target.host() + " " + String.join(" ", scopes.stream().sorted().toList());
  }

  private static String basic(BasicCredentials c) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }
}
