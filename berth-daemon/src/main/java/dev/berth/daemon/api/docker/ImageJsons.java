package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.Reference;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Docker's JSON shapes for images, built from engine {@link Image}s. */
final class ImageJsons {
  private ImageJsons() {}

  /** {@code GET /images/json} entries (ImageSummary). */
  record Summary(
      String id,
      String parentId,
      List<String> repoTags,
      List<String> repoDigests,
      long created,
      long size,
      long sharedSize,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long virtualSize,
      Map<String, String> labels,
      long containers) {}

  /** {@code GET /images/{name}/json} (ImageInspect). */
  record Inspect(
      String id,
      List<String> repoTags,
      List<String> repoDigests,
      String parent,
      String comment,
      String created,
      String dockerVersion,
      String author,
      ImageConfig.RunConfig config,
      String architecture,
      @JsonInclude(JsonInclude.Include.NON_NULL) String variant,
      String os,
      @JsonInclude(JsonInclude.Include.NON_NULL) String osVersion,
      long size,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long virtualSize,
      GraphDriver graphDriver,
      @JsonProperty("RootFS") RootFs rootFs,
      Metadata metadata) {}

  record GraphDriver(String name, Map<String, String> data) {}

  record RootFs(String type, List<String> layers) {}

  record Metadata(String lastTagTime) {}

  /** {@code GET /images/{name}/history} entries. */
  record History(String id, long created, String createdBy, List<String> tags, long size, String comment) {}

  static Summary summary(Image image, boolean withVirtualSize) {
    ImageConfig.RunConfig rc = image.config().config();
    return new Summary(image.id().toString(), "", familiar(image.repoTags()), familiar(image.repoDigests()),
        createdSeconds(image), image.size(), -1, withVirtualSize ? image.size() : null,
        rc == null || rc.labels() == null ? Map.of() : rc.labels(), -1);
  }

  static Inspect inspect(Image image, List<String> lowerDirs, boolean withVirtualSize) {
    ImageConfig c = image.config();
    return new Inspect(image.id().toString(), familiar(image.repoTags()), familiar(image.repoDigests()), "",
        "", c.created() == null ? "" : c.created(), "", c.author() == null ? "" : c.author(),
        c.config() == null ? emptyConfig() : c.config(), c.architecture(), c.variant(), c.os(), c.osVersion(),
        image.size(), withVirtualSize ? image.size() : null,
        new GraphDriver("overlay2", lowerDirs.isEmpty() ? Map.of() : Map.of("LowerDir", String.join(":", lowerDirs))),
        new RootFs("layers", image.layers().stream().map(l -> l.diffId().toString()).toList()),
        new Metadata(image.lastTagTime() == null ? "0001-01-01T00:00:00Z" : image.lastTagTime().toString()));
  }

  private static ImageConfig.RunConfig emptyConfig() {
    return new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  /** An OCI platform as Go writes it: architecture and os always, the rest only when set. */
  static Map<String, Object> platform(dev.berth.engine.image.Platform p) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("architecture", p == null || p.architecture() == null ? "" : p.architecture());
    m.put("os", p == null || p.os() == null ? "" : p.os());
    if (p != null && p.osVersion() != null && !p.osVersion().isEmpty()) {
      m.put("os.version", p.osVersion());
    }
    if (p != null && p.osFeatures() != null && !p.osFeatures().isEmpty()) {
      m.put("os.features", p.osFeatures());
    }
    if (p != null && p.variant() != null && !p.variant().isEmpty()) {
      m.put("variant", p.variant());
    }
    return m;
  }

  static List<String> familiar(List<Reference> refs) {
    return refs.stream().map(Reference::familiar).toList();
  }

  static long createdSeconds(Image image) {
    return parseTime(image.config().created()).getEpochSecond();
  }

  static Instant parseTime(String created) {
    if (created == null || created.isBlank()) {
      return Instant.EPOCH;
    }
    try {
      return OffsetDateTime.parse(created).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
