package dev.berth.engine.build.dockerfile;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Build arguments a Dockerfile may use without declaring them.
 *
 * <p>The proxy args are Docker's (both builders): {@code --build-arg HTTP_PROXY=...} is accepted
 * without an ARG, reaches RUN's environment, and is left out of the image history unless the
 * Dockerfile declares it.
 *
 * <p>The platform args follow BuildKit, not dockerd 20.10's classic builder (which defines none):
 * they are set in the global scope (usable in FROM) without declaration; inside a stage they are
 * visible only after an {@code ARG TARGETPLATFORM} (no value) declares them. See
 * docs/decisions/0100.
 */
public final class PredefinedArgs {
  private PredefinedArgs() {}

  /** The proxy args, usable with {@code --build-arg} without an ARG. */
  public static final Set<String> PROXY = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
      "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

  /** The platform args' names. */
  public static final Set<String> PLATFORM = Set.of("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
      "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT");

  /** This host's platform args: Berth builds linux/amd64 on linux/amd64. */
  public static final Map<String, String> HOST_PLATFORM = platform("linux", "amd64", "");

  /** True for a proxy or platform arg. */
  public static boolean isPredefined(String name) {
    return PROXY.contains(name) || PLATFORM.contains(name);
  }

  /**
   * The platform args for building {@code os/arch[/variant]} on the same platform (target and
   * build are the same: Berth does not cross-build). {@code TARGETPLATFORM} is {@code os/arch}
   * or {@code os/arch/variant}; a variant absent is an empty string, as BuildKit sets it.
   */
  public static Map<String, String> platform(String os, String arch, String variant) {
    String platform = os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
    Map<String, String> args = new LinkedHashMap<>();
    args.put("TARGETPLATFORM", platform);
    args.put("TARGETOS", os);
    args.put("TARGETARCH", arch);
    args.put("TARGETVARIANT", variant);
    args.put("BUILDPLATFORM", platform);
    args.put("BUILDOS", os);
    args.put("BUILDARCH", arch);
    args.put("BUILDVARIANT", variant);
    return java.util.Collections.unmodifiableMap(args);
  }
}
