package dev.berth.cli.command.image;

import dev.berth.cli.json.Json;

import dev.berth.cli.auth.Credentials;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The client's side of registry logins: which registry a name is in, and the auth header. */
public final class Registries {

  private Registries() {}

  /** Docker's rule: the first path component is a registry if it has a dot or colon, or is localhost. */
  static String domainOf(String reference) {
    int slash = reference.indexOf('/');
    if (slash < 0) {
      return "docker.io";
    }
    String first = reference.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
  }

  /** The X-Registry-Auth header for the registry of {@code reference}: stored login or {}. */
  static Map<String, String> authHeader(String reference) {
    Optional<Credentials.Login> login = Credentials.fromEnvironment().get(domainOf(reference));
    Map<String, String> auth = new LinkedHashMap<>();
    login.ifPresent(l -> {
      auth.put("username", l.username());
      auth.put("password", l.password());
      auth.put("serveraddress", domainOf(reference));
    });
    return Map.of("X-Registry-Auth", Base64.getUrlEncoder().encodeToString(Json.bytes(auth)));
  }

  /** Splits "repo:tag" at the tag's colon (not a registry port's). */
  public static String[] repoAndTag(String name) {
    int at = name.indexOf('@');
    if (at >= 0) {
      return new String[] {name.substring(0, at), name.substring(at + 1)};
    }
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      return new String[] {name.substring(0, colon), name.substring(colon + 1)};
    }
    return new String[] {name, ""};
  }
}
