package dev.berth.engine.image.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Mirrors per registry, tried in order before the registry itself when pulling (as
 * containers-registries.conf and containerd's hosts.toml): {@code registry.k8s.io →
 * [http://127.0.0.1:5000]}. A mirror serves the same repository paths as its registry (a
 * docker.io mirror serves {@code library/busybox}); push, login and search never use mirrors.
 *
 * <p>Built only through {@link Builder}, which checks every entry the way dockerd's {@code
 * ValidateMirror} does (http or https, no path, query, fragment or user info) and refuses a
 * plain-HTTP mirror that is neither loopback nor an insecure registry: an https→http downgrade
 * to a host on the network must be asked for explicitly.
 *
 * @param byRegistry registry ({@code host[:port]}, Docker Hub as {@code docker.io}) → mirror base
 *     URIs ({@code scheme://host[:port]}), in the order they are tried
 */
public record RegistryMirrors(Map<String, List<URI>> byRegistry) {
  public static final RegistryMirrors NONE = new RegistryMirrors(Map.of());
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern HOST_PORT = Pattern.compile(
      "(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])(?:\\.(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))*"
          + "|\\[[a-f0-9:]+\\])(?::[0-9]{1,5})?");

  public RegistryMirrors {
    Map<String, List<URI>> copy = new LinkedHashMap<>();
    byRegistry.forEach((registry, mirrors) -> copy.put(registry, List.copyOf(mirrors)));
    byRegistry = java.util.Collections.unmodifiableMap(copy);
  }

  /** The mirrors of {@code registry} (a reference's domain), in order; empty when it has none. */
  public List<URI> of(String registry) {
    return byRegistry.getOrDefault(canonicalRegistry(registry), List.of());
  }

  public boolean isEmpty() {
    return byRegistry.isEmpty();
  }

  /** A mirror as dockerd prints it in {@code /info}: {@code https://mirror.example/}. */
  public static String display(URI mirror) {
    return mirror + "/";
  }

  /** Docker Hub has three names; the table knows it as {@code docker.io}. */
  static String canonicalRegistry(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "index.docker.io", "registry-1.docker.io" -> DOCKER_HUB;
      default -> lower;
    };
  }

  /** Collects entries in the order given, then checks them all against the insecure registries. */
  public static final class Builder {
    private final Map<String, List<URI>> byRegistry = new LinkedHashMap<>();

    /**
     * One berthd {@code --registry-mirror} value: {@code REGISTRY=URL}, or dockerd's bare
     * {@code URL} (a mirror of docker.io).
     */
    public Builder addFlag(String value) {
      String text = value.strip();
      int eq = text.indexOf('=');
      return eq < 0 ? add(DOCKER_HUB, text) : add(text.substring(0, eq), text.substring(eq + 1));
    }

    /** One mirror of {@code registry}, tried after those added before it. */
    public Builder add(String registry, String mirrorUrl) {
      String name = registryName(registry);
      URI mirror = mirrorUri(mirrorUrl, name);
      List<URI> list = byRegistry.computeIfAbsent(name, _ -> new ArrayList<>());
      if (!list.contains(mirror)) {
        list.add(mirror);
      }
      return this;
    }

    /**
     * The table; refuses a plain-HTTP mirror whose host is neither loopback nor among {@code
     * insecureRegistries} ({@code host[:port]} as {@code --insecure-registry} takes them).
     */
    public RegistryMirrors build(Set<String> insecureRegistries) {
      byRegistry.forEach((registry, mirrors) -> {
        for (URI mirror : mirrors) {
          if (mirror.getScheme().equals("http")
              && !RegistryClient.usesPlainHttp(mirror.getRawAuthority(), insecureRegistries)) {
            throw new IllegalArgumentException("mirror " + mirror + " of " + registry
                + " is plain HTTP on a host that is neither loopback nor an insecure registry; use https, or add "
                + mirror.getRawAuthority() + " to --insecure-registry if you trust the network to it");
          }
        }
      });
      return new RegistryMirrors(byRegistry);
    }
  }

  /** A registry as users write it in a reference: {@code host[:port]}, nothing more. */
  static String registryName(String text) {
    String name = text.strip();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a registry mirror needs a registry name before '=': use REGISTRY=URL, "
          + "as in registry.k8s.io=http://127.0.0.1:5000");
    }
    if (name.contains("://")) {
      throw new IllegalArgumentException("registry '" + name + "' of a mirror must be host[:port] without a scheme "
          + "(the mirror's URL carries the scheme), as in registry.k8s.io=https://mirror.example");
    }
    if (name.contains("/")) {
      throw new IllegalArgumentException("registry '" + name + "' of a mirror has a path; mirrors map whole "
          + "registries: name it as host[:port], as in registry.k8s.io");
    }
    String canonical = canonicalRegistry(name);
    if (!HOST_PORT.matcher(canonical).matches()) {
      throw new IllegalArgumentException("registry '" + name + "' of a mirror is not a valid host[:port]");
    }
    return canonical;
  }

  /** dockerd's ValidateMirror: http(s), a host, no path, query, fragment or user info. */
  static URI mirrorUri(String text, String registry) {
    String raw = text.strip();
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid mirror of " + registry + ": '" + raw + "' is not a valid URI ("
          + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("invalid mirror of " + registry + ": unsupported scheme '" + scheme
          + "' in '" + raw + "'; write it as https://HOST[:PORT] (or http:// for loopback and insecure registries)");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("invalid mirror of " + registry
          + ": user name and password are not allowed in its URL (mirrors are used anonymously)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("invalid mirror of " + registry + ": '" + raw + "' names no host");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if ((!path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("invalid mirror of " + registry + ": path, query, or fragment at end of "
          + "the URI '" + raw + "'; a mirror is https://HOST[:PORT] serving the registry's /v2/ paths");
    }
    return URI.create(scheme + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT));
  }
}
