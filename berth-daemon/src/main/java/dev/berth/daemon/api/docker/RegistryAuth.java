package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.image.registry.BasicCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

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
    byte[] json;
    String value = header.get().strip();
    try {
      json = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException notUrlSafe) {
      try {
        json = Base64.getDecoder().decode(value);
      } catch (IllegalArgumentException e) {
        throw new BerthException.InvalidArgument("X-Registry-Auth is not base64-encoded JSON");
      }
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new BerthException.InvalidArgument("X-Registry-Auth is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    String user = node.path("username").asText("");
    String password = node.path("password").asText("");
    if (user.isEmpty() && password.isEmpty()) {
      return Optional.empty(); // docker sends {} when not logged in
    }
    return Optional.of(new BasicCredentials(user, password));
  }
}
