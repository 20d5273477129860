package dev.berth.engine.image.registry;

import java.net.URI;

/**
 * Where a registry request goes: a registry, or a mirror of one, and the repository the request
 * is about.
 *
 * @param domain the registry as users write it ({@code docker.io}), or the mirror's host[:port]
 * @param host the host[:port] requests are sent to
 * @param scheme http or https
 * @param mirrorOf the registry this endpoint mirrors; null for the registry itself
 */
record Endpoint(String domain, String host, String scheme, String repository, String mirrorOf) {
  URI uri(String rest) {
    return URI.create(base() + repository + "/" + rest);
  }

  URI base() {
    return URI.create(scheme + "://" + host + "/v2/");
  }

  boolean mirror() {
    return mirrorOf != null;
  }

  /** How messages name it: {@code docker.io}, or {@code 127.0.0.1:5000 (mirror of registry.k8s.io)}. */
  String display() {
    return mirrorOf == null ? domain : scheme + "://" + host + " (mirror of " + mirrorOf + ")";
  }
}
