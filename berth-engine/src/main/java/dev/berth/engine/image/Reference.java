package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference, normalized as Docker does: {@code busybox} is {@code
 * docker.io/library/busybox:latest}. Follows the grammar of distribution's {@code reference}
 * package: the first path component is a registry domain when it holds a {@code .} or {@code :}
 * or is {@code localhost} (or has upper case letters); otherwise the image lives on Docker Hub.
 *
 * @param domain the registry as users write it ({@code docker.io}, {@code localhost:5000});
 *     also the key for stored credentials
 * @param repository the repository inside the registry ({@code library/busybox}), as used in
 *     {@code /v2/<repository>/...}
 * @param tag the tag, or null when only a digest was given
 * @param digest the manifest digest, or null
 */
public record Reference(String domain, String repository, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DEFAULT_TAG = "latest";
  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final int NAME_MAX = 255;

  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
              + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
              + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  private static final Pattern COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

  public Reference {
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
  }

  /**
   * Parses and normalizes a reference; a missing tag becomes {@code latest} unless a digest is
   * given.
   *
   * @throws BerthException.InvalidArgument naming what is wrong with the text
   */
  public static Reference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw invalid(text, "it is empty");
    }
    if (HEX64.matcher(text).matches()) {
      throw invalid(text, "a 64-character hex string is an image ID, not a repository name");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      String digestText = rest.substring(at + 1);
      try {
        digest = Digest.parse(digestText);
      } catch (BerthException.InvalidArgument e) {
        throw invalid(text, "digest '" + digestText + "' is not sha256:<64 lowercase hex>");
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(
            text, "tag '" + tag + "' must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
      }
      rest = rest.substring(0, colon);
    }
    if (rest.isEmpty()) {
      throw invalid(text, "the repository name is empty");
    }

    String domain;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    if (slash < 0
        || (!first.contains(".")
            && !first.contains(":")
            && !first.equals("localhost")
            && first.toLowerCase(Locale.ROOT).equals(first))) {
      domain = DOCKER_HUB;
      path = rest;
    } else {
      domain = first;
      path = rest.substring(slash + 1);
    }
    if (domain.equals("index.docker.io")) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    if (!DOMAIN.matcher(domain).matches()) {
      throw invalid(text, "registry '" + domain + "' is not a valid host[:port]");
    }
    if (!path.toLowerCase(Locale.ROOT).equals(path)) {
      throw invalid(text, "repository name '" + path + "' must be lowercase");
    }
    for (String component : path.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw invalid(
            text,
            "path component '" + component + "' must be lowercase letters and digits, "
                + "separated by '.', '_', '__' or dashes");
      }
    }
    if (domain.length() + 1 + path.length() > NAME_MAX) {
      throw invalid(text, "the repository name is longer than " + NAME_MAX + " characters");
    }
    return new Reference(domain, path, tag, digest);
  }

  /** The full repository name, {@code docker.io/library/busybox}. */
  public String name() {
    return domain + "/" + repository;
  }

  /** The registry host[:port] to send API calls to ({@code registry-1.docker.io} for the Hub). */
  public String registry() {
    return registryHost(domain);
  }

  /** The API host for a registry domain: Docker Hub's API is not at {@code docker.io}. */
  public static String registryHost(String domain) {
    return domain.equals(DOCKER_HUB) || domain.equals("index.docker.io") ? DOCKER_HUB_API : domain;
  }

  /** The repository name as Docker prints it: {@code busybox}, {@code user/app}. */
  public String familiarName() {
    if (domain.equals(DOCKER_HUB)) {
      return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
          ? repository.substring("library/".length())
          : repository;
    }
    return name();
  }

  /** The short form Docker prints: {@code busybox:latest}, {@code localhost:5000/a@sha256:…}. */
  public String familiar() {
    return familiarName() + suffix();
  }

  /** What goes after {@code /manifests/}: the digest when known, else the tag. */
  public String manifestRef() {
    return digest != null ? digest.toString() : tag;
  }

  /** The same repository with this tag and no digest. */
  public Reference withTag(String newTag) {
    return parse(name() + ":" + newTag);
  }

  /** The same repository pinned to a digest (the tag is kept, as in {@code name:tag@digest}). */
  public Reference withDigest(Digest newDigest) {
    return new Reference(domain, repository, tag, newDigest);
  }

  /** The canonical form: {@code docker.io/library/busybox:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }

  private String suffix() {
    return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  private static BerthException.InvalidArgument invalid(String text, String reason) {
    return new BerthException.InvalidArgument(
        "invalid image reference '" + text + "': " + reason);
  }
}
