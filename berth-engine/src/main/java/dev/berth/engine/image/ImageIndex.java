package dev.berth.engine.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A multi-platform image: an OCI image index or a Docker manifest list (same shape). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageIndex(
    @JsonProperty("schemaVersion") int schemaVersion,
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("artifactType") String artifactType,
    @JsonProperty("manifests") List<Descriptor> manifests,
    @JsonProperty("subject") Descriptor subject,
    @JsonProperty("annotations") Map<String, String> annotations) {

  public ImageIndex(String mediaType, List<Descriptor> manifests) {
    this(2, mediaType, null, manifests, null, null);
  }

  public ImageIndex {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
  }

  /**
   * The first image manifest for the wanted platform.
   *
   * @param what names the image in the error, such as {@code busybox:latest}
   * @throws BerthException.NotFound listing the platforms the index offers
   */
  public Descriptor select(Platform wanted, String what) {
    for (Descriptor entry : manifests) {
      if (wanted.accepts(entry.platform())) {
        return entry;
      }
    }
    String available =
        manifests.stream()
            .map(Descriptor::platform)
            .filter(p -> p != null && !"unknown".equals(p.os()))
            .map(Platform::toString)
            .distinct()
            .collect(Collectors.joining(", "));
    throw new BerthException.NotFound(
        "no image for platform " + wanted + " in " + what + "; available platforms: "
            + (available.isEmpty() ? "none" : available)
            + " (choose one with --platform)");
  }
}
