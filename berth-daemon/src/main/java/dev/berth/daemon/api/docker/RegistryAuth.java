package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code X-Registry-Auth} header: base64url of {@code {"username","password",
 * "serveraddress"}}. Docker clients send it with pull and push; the daemon stores nothing.
 */
public final class RegistryAuth {
  private RegistryAuth() {}

  public static Optional<BasicCredentials> decode(Optional<String> header) {
    if (header.isEmpty() || header.get().isBlank()) {
      return Optional.empty();
    }
    return credentials(json(header.get(), "X-Registry-Auth"));
  }

  /**
   * The {@code X-Registry-Config} header of {@code POST /build}: base64 of a JSON map from
   * registry address ({@code https://index.docker.io/v1/}, {@code localhost:5000}) to the same
   * auth objects, for the build's FROM pulls. Answers the credentials for a registry domain.
   */
  public static Function<String, Optional<BasicCredentials>> decodeConfig(Optional<String> header) {
    Map<String, BasicCredentials> byDomain = new HashMap<>();
    if (header.isPresent() && !header.get().isBlank()) {
      JsonNode node = json(header.get(), "X-Registry-Config");
      if (node != null && node.isObject()) {
        node.properties().forEach(e -> credentials(e.getValue()).ifPresent(c -> byDomain.put(domain(e.getKey()), c)));
      }
    }
    return domain -> Optional.ofNullable(byDomain.get(domain));
  }

  /** A registry address as the docker CLI keys its config ("https://index.docker.io/v1/") → its domain. */
  static String domain(String address) {
    String d = address.replaceFirst("^[a-zA-Z]+://", "").replaceFirst("/.*$", "");
    return d.equals("index.docker.io") || d.equals("registry-1.docker.io") || d.isEmpty() ? Reference.DOCKER_HUB : d;
  }

  private static JsonNode json(String header, String name) {
    byte[] json;
    String value = header.strip();
    try {
      json = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException notUrlSafe) {
      try {
        json = Base64.getDecoder().decode(value);
      } catch (IllegalArgumentException e) {
        throw new BerthException.InvalidArgument(name + " is not base64-encoded JSON");
      }
    }
    try {
      return Json.MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new BerthException.InvalidArgument(name + " is not valid JSON: " + e.getMessage());
    }
  }

  private static Optional<BasicCredentials> credentials(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    String user = node.path("username").asText("");
    String password = node.path("password").asText("");
    String auth = node.path("auth").asText("");
    if (user.isEmpty() && password.isEmpty() && !auth.isEmpty()) {
      // docker's config.json form: "auth" is base64 of "user:password"
      String pair;
      try {
        pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BerthException.InvalidArgument("a registry auth's \"auth\" is not base64 of user:password");
      }
      int colon = pair.indexOf(':');
      if (colon > 0) {
        user = pair.substring(0, colon);
        password = pair.substring(colon + 1);
      }
    }
    if (user.isEmpty() && password.isEmpty()) {
      return Optional.empty(); // docker sends {} when not logged in
    }
    return Optional.of(new BasicCredentials(user, password));
  }
}
