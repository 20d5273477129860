package dev.berth.engine.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The platform of an image, as in an OCI index entry: {@code linux/amd64}, {@code
 * linux/arm64/v8}. Architectures are normalized to the Go names registries use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Platform(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    @JsonProperty("variant") String variant,
    @JsonProperty("features") List<String> features) {

  /** What Berth pulls when nothing else is asked for. */
  public static final Platform DEFAULT = new Platform("amd64", "linux", null);

  public Platform(String architecture, String os, String variant) {
    this(architecture, os, null, null, variant, null);
  }

  /** Parses {@code os/arch[/variant]}, normalizing aliases such as x86_64 and aarch64. */
  public static Platform parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || List.of(parts).contains("")) {
      throw new BerthException.InvalidArgument(
          "invalid platform '" + text + "': expected os/arch[/variant], such as linux/amd64");
    }
    String os = parts[0].toLowerCase(Locale.ROOT);
    String arch = normalizeArch(parts[1].toLowerCase(Locale.ROOT));
    String variant = parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : null;
    return new Platform(arch, os, variant);
  }

  /** The platform of the machine the JVM runs on. */
  public static Platform host() {
    return new Platform(
        normalizeArch(System.getProperty("os.arch").toLowerCase(Locale.ROOT)),
        System.getProperty("os.name").toLowerCase(Locale.ROOT),
        null);
  }

  /**
   * Whether an image for {@code candidate} fits this wanted platform. A wanted variant must
   * match (arm64's v8 is the default, so absent equals v8); no wanted variant accepts any.
   */
  public boolean accepts(Platform candidate) {
    if (candidate == null
        || !os.equals(candidate.os)
        || !architecture.equals(normalizeArch(candidate.architecture))) {
      return false;
    }
    return variant == null
        || Objects.equals(normalizeVariant(architecture, variant),
            normalizeVariant(architecture, candidate.variant));
  }

  private static String normalizeVariant(String arch, String variant) {
    return arch.equals("arm64") && (variant == null || variant.equals("v8")) ? null : variant;
  }

  private static String normalizeArch(String arch) {
    return switch (arch) {
      case "x86_64", "x86-64" -> "amd64";
      case "aarch64" -> "arm64";
      case "i386", "i686", "x86" -> "386";
      default -> arch;
    };
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant != null ? "/" + variant : "");
  }
}
