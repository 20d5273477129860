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
      @JsonInclude(JsonInclude.Include.NON_NULL) String container,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> containerConfig,
      String dockerVersion,
      String author,
      Object config,
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

  /**
   * @param legacy before API 1.45: Container and ContainerConfig (an empty container config, as for
   *     an image no build made), and before 1.50 Config with every container-config key (dockerd 20.10's shape)
   * @param fullConfig before API 1.50: Config with the container-only keys (Hostname, Tty…) too
   */
  static Inspect inspect(Image image, List<String> lowerDirs, boolean withVirtualSize, boolean legacy,
      boolean fullConfig) {
    ImageConfig c = image.config();
    ImageConfig.RunConfig rc = c.config() == null ? emptyConfig() : c.config();
    // As dockerd's overlay2: the top layer is the upper dir (its merged and work dirs exist only
    // for containers), the others, top first, the lower dirs.
    Map<String, String> graph = new java.util.LinkedHashMap<>();
    if (!lowerDirs.isEmpty()) {
      String top = lowerDirs.getFirst().replaceAll("/diff$", "");
      if (lowerDirs.size() > 1) {
        graph.put("LowerDir", String.join(":", lowerDirs.subList(1, lowerDirs.size())));
      }
      graph.put("MergedDir", top + "/merged");
      graph.put("UpperDir", lowerDirs.getFirst());
      graph.put("WorkDir", top + "/work");
    }
    return new Inspect(image.id().toString(), familiar(image.repoTags()), familiar(image.repoDigests()), "",
        "", c.created() == null ? "" : c.created(), legacy ? "" : null,
        legacy ? containerConfig(emptyConfig(), true) : null, "", c.author() == null ? "" : c.author(),
        fullConfig ? containerConfig(rc, false) : rc, c.architecture(), c.variant(), c.os(), c.osVersion(),
        image.size(), withVirtualSize ? image.size() : null,
        new GraphDriver("overlay2", graph),
        new RootFs("layers", image.layers().stream().map(l -> l.diffId().toString()).toList()),
        new Metadata(image.lastTagTime() == null ? "0001-01-01T00:00:00Z" : image.lastTagTime().toString()));
  }

  /** An image's run config in the shape of a container's Config, as dockerd 20.10 shows it. */
  private static Map<String, Object> containerConfig(ImageConfig.RunConfig rc, boolean empty) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("Hostname", "");
    m.put("Domainname", "");
    m.put("User", rc.user() == null ? "" : rc.user());
    m.put("AttachStdin", false);
    m.put("AttachStdout", false);
    m.put("AttachStderr", false);
    if (rc.exposedPorts() != null && !rc.exposedPorts().isEmpty()) {
      m.put("ExposedPorts", rc.exposedPorts());
    }
    m.put("Tty", false);
    m.put("OpenStdin", false);
    m.put("StdinOnce", false);
    m.put("Env", rc.env());
    m.put("Cmd", rc.cmd());
    if (rc.healthcheck() != null) {
      m.put("Healthcheck", rc.healthcheck());
    }
    if (Boolean.TRUE.equals(rc.argsEscaped())) {
      m.put("ArgsEscaped", true);
    }
    m.put("Image", "");
    m.put("Volumes", rc.volumes());
    m.put("WorkingDir", rc.workingDir() == null ? "" : rc.workingDir());
    m.put("Entrypoint", rc.entrypoint());
    m.put("OnBuild", rc.onBuild());
    m.put("Labels", empty ? null : rc.labels());
    if (rc.stopSignal() != null && !rc.stopSignal().isEmpty()) {
      m.put("StopSignal", rc.stopSignal());
    }
    if (rc.stopTimeout() != null) {
      m.put("StopTimeout", rc.stopTimeout());
    }
    if (rc.shell() != null && !rc.shell().isEmpty()) {
      m.put("Shell", rc.shell());
    }
    return m;
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
