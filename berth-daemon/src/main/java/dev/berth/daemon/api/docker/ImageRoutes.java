package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImagePuller;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The image endpoints of the Docker API, mapped onto the engine's image services. */
public final class ImageRoutes {
  private static final ApiVersion VIRTUAL_SIZE_REMOVED = new ApiVersion(1, 44);

  private final Engine engine;
  private final ImageService images;

  public ImageRoutes(Engine engine) {
    this.engine = engine;
    this.images = engine.images();
  }

  public void register(Router router) {
    router.post("/images/create", this::create);
    router.get("/images/json", this::list);
    router.post("/images/prune", this::prune);
    router.get("/images/{name:.*}/json", this::inspect);
    router.get("/images/{name:.*}/history", this::history);
    router.post("/images/{name:.*}/tag", this::tag);
    router.delete("/images/{name:.*}", this::remove);
    router.get("/distribution/{name:.*}/json", this::distribution);
  }

  /** API 1.45 dropped an image's Container and ContainerConfig; 1.50 its Config's container-only keys. */
  private static final ApiVersion CONTAINER_CONFIG_REMOVED = new ApiVersion(1, 45);
  private static final ApiVersion IMAGE_CONFIG_OCI = new ApiVersion(1, 50);

  private static boolean withVirtualSize(ApiRequest req) {
    return req.apiVersion().map(v -> v.isOlderThan(VIRTUAL_SIZE_REMOVED)).orElse(false);
  }

  private static Reference reference(String name, Optional<String> tag) {
    String withTag = tag.filter(t -> !t.isEmpty())
        .map(t -> t.startsWith("sha256:") ? name + "@" + t : name + ":" + t).orElse(name);
    return Reference.parse(withTag);
  }

  private void create(ApiRequest req, ApiResponse res) throws IOException {
    Optional<String> fromSrc = req.query("fromSrc").filter(s -> !s.isEmpty());
    if (fromSrc.isPresent()) {
      new ImageTransferRoutes(engine).importImage(req, res, fromSrc.get());
      return;
    }
    Optional<String> fromImage = req.query("fromImage").filter(s -> !s.isEmpty());
    if (fromImage.isEmpty()) {
      throw new BerthException.InvalidArgument("fromImage or fromSrc is required");
    }
    Reference ref = reference(fromImage.get(), req.query("tag"));
    Platform platform = req.query("platform").filter(p -> !p.isBlank()).map(Platform::parse).orElse(Platform.DEFAULT);
    Optional<BasicCredentials> auth = RegistryAuth.decode(req.header("X-Registry-Auth"));
    ProgressStream progress = new ProgressStream(res);
    try (RegistryClient client = engine.registry(domain -> auth)) {
      new ImagePuller(images).pull(client, ref, platform, progress::event);
    } catch (RuntimeException e) {
      if (!progress.started()) {
        throw e;
      }
      progress.error(e.getMessage());
    }
    progress.close();
  }

  private void list(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null),
        Set.of("reference", "dangling", "label", "before", "since"));
    boolean all = req.queryFlag("all");
    List<Image> list = images.list();
    Optional<Instant> before = filters.get("before").stream().findFirst().map(n -> images.find(n).storedAt());
    Optional<Instant> since = filters.get("since").stream().findFirst().map(n -> images.find(n).storedAt());
    List<ImageJsons.Summary> out = new ArrayList<>();
    for (Image image : list) {
      if (filters.has("dangling")) {
        boolean dangling = Boolean.parseBoolean(filters.get("dangling").getFirst());
        if (dangling != image.repoTags().isEmpty()) {
          continue;
        }
      } else if (!all && image.repoTags().isEmpty() && image.repoDigests().isEmpty()) {
        continue;
      }
      if (!filters.labelsMatch(labels(image))) {
        continue;
      }
      if (before.isPresent() && !image.storedAt().isBefore(before.get())) {
        continue;
      }
      if (since.isPresent() && !image.storedAt().isAfter(since.get())) {
        continue;
      }
      if (filters.has("reference") && !referenceMatches(image, filters.get("reference"))) {
        continue;
      }
      out.add(ImageJsons.summary(image, withVirtualSize(req)));
    }
    res.json(200, out);
  }

  private static Map<String, String> labels(Image image) {
    ImageConfig.RunConfig rc = image.config().config();
    return rc == null || rc.labels() == null ? Map.of() : rc.labels();
  }

  /** Docker matches reference filters as path globs against "name" and "name:tag". */
  static boolean referenceMatches(Image image, List<String> patterns) {
    for (String pattern : patterns) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      for (Reference tag : image.repoTags()) {
        if (m.matches(Path.of(tag.familiarName())) || m.matches(Path.of(tag.familiar()))) {
          return true;
        }
      }
    }
    return false;
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    Image image = images.find(req.pathParam("name"));
    List<String> lowerDirs = new ArrayList<>();
    for (Image.ImageLayer layer : image.layers()) {
      lowerDirs.add(images.layers().diffDir(layer.chainId()).toString());
    }
    Collections.reverse(lowerDirs); // overlayfs lists the top layer first
    res.json(200, ImageJsons.inspect(image, lowerDirs, withVirtualSize(req),
        req.apiVersion().map(v -> v.isOlderThan(CONTAINER_CONFIG_REMOVED)).orElse(false),
        req.apiVersion().map(v -> v.isOlderThan(IMAGE_CONFIG_OCI)).orElse(false)));
  }

  private void history(ApiRequest req, ApiResponse res) throws IOException {
    Image image = images.find(req.pathParam("name"));
    List<ImageConfig.History> history = image.config().history() == null ? List.of() : image.config().history();
    List<ImageJsons.History> out = new ArrayList<>();
    int layerIndex = 0;
    List<Long> layerSizes = new ArrayList<>();
    for (Image.ImageLayer l : image.layers()) {
      layerSizes.add(images.layers().get(l.chainId()).size());
    }
    for (ImageConfig.History h : history) {
      long size = 0;
      if (!Boolean.TRUE.equals(h.emptyLayer()) && layerIndex < layerSizes.size()) {
        size = layerSizes.get(layerIndex++);
      }
      out.add(new ImageJsons.History("<missing>", ImageJsons.parseTime(h.created()).getEpochSecond(),
          h.createdBy() == null ? "" : h.createdBy(), null, size, h.comment() == null ? "" : h.comment()));
    }
    Collections.reverse(out);
    if (out.isEmpty()) {
      out.add(new ImageJsons.History(image.id().toString(), ImageJsons.createdSeconds(image), "",
          ImageJsons.familiar(image.repoTags()), image.size(), ""));
    } else {
      ImageJsons.History top = out.getFirst();
      out.set(0, new ImageJsons.History(image.id().toString(), top.created(), top.createdBy(),
          ImageJsons.familiar(image.repoTags()), top.size(), top.comment()));
    }
    res.json(200, out);
  }

  private void tag(ApiRequest req, ApiResponse res) throws IOException {
    String repo = req.query("repo").filter(s -> !s.isEmpty())
        .orElseThrow(() -> new BerthException.InvalidArgument("repo is required: the new name for the image"));
    Reference target = Reference.parse(repo + req.query("tag").filter(s -> !s.isEmpty()).map(t -> ":" + t).orElse(""));
    images.tag(req.pathParam("name"), target);
    res.empty(201);
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    for (ImageService.Removal r : images.remove(req.pathParam("name"), req.queryFlag("force"))) {
      Map<String, String> entry = new LinkedHashMap<>();
      switch (r) {
        case ImageService.Removal.Untagged u -> entry.put("Untagged", u.reference());
        case ImageService.Removal.Deleted d -> entry.put("Deleted", d.imageId());
      }
      out.add(entry);
    }
    res.json(200, out);
  }

  private void prune(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null), Set.of("dangling", "label", "until"));
    boolean all = filters.has("dangling") && filters.get("dangling").getFirst().equalsIgnoreCase("false");
    List<Map<String, String>> deleted = new ArrayList<>();
    long reclaimed = 0;
    for (Image image : images.pruneCandidates(all)) {
      if (!filters.labelsMatch(labels(image))) {
        continue;
      }
      try {
        for (ImageService.Removal r : images.remove(image.id().toString(), true)) {
          switch (r) {
            case ImageService.Removal.Untagged u -> deleted.add(Map.of("Untagged", u.reference()));
            case ImageService.Removal.Deleted d -> deleted.add(Map.of("Deleted", d.imageId()));
          }
        }
        reclaimed += image.size();
      } catch (BerthException.Conflict inUse) {
        // an image a container started using meanwhile stays
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ImagesDeleted", deleted.isEmpty() ? null : deleted); // dockerd's null for none
    body.put("SpaceReclaimed", reclaimed);
    res.json(200, body);
  }

  /**
   * Asks the registry what a reference names, in dockerd's shape: the descriptor, and the
   * platforms of an index, or of a Docker schema 2 image (read from its config). dockerd leaves
   * {@code Platforms} null for an OCI image manifest, and so does Berth.
   */
  private void distribution(ApiRequest req, ApiResponse res) throws IOException {
    Reference ref = Reference.parse(req.pathParam("name"));
    Optional<BasicCredentials> auth = RegistryAuth.decode(req.header("X-Registry-Auth"));
    try (RegistryClient client = engine.registry(domain -> auth)) {
      var top = client.fetchManifest(ref);
      Map<String, Object> descriptor = new LinkedHashMap<>();
      descriptor.put("mediaType", top.mediaType());
      descriptor.put("digest", top.digest().toString());
      descriptor.put("size", top.bytes().length);
      List<Map<String, Object>> platforms = switch (top) {
        case dev.berth.engine.image.registry.FetchedManifest.Index index -> {
          List<Map<String, Object>> out = new ArrayList<>();
          index.index().manifests().forEach(m -> out.add(ImageJsons.platform(m.platform())));
          yield out;
        }
        case dev.berth.engine.image.registry.FetchedManifest.Image image
            when image.mediaType().equals(dev.berth.engine.image.MediaTypes.DOCKER_MANIFEST) -> {
          Platform platform = dev.berth.engine.image.ImageJson.read(
              client.fetchSmallBlob(ref, image.manifest().config()), Platform.class, "config of " + ref.familiar());
          yield platform.os() == null && platform.architecture() == null ? null
              : List.of(ImageJsons.platform(platform));
        }
        case dev.berth.engine.image.registry.FetchedManifest.Image image -> null;
      };
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Descriptor", descriptor);
      body.put("Platforms", platforms);
      res.json(200, body);
    }
  }

}
