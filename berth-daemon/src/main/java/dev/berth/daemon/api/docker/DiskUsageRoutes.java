package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;
import dev.berth.engine.container.Container;
import dev.berth.engine.image.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /system/df}: Docker's disk usage report. Volumes carry UsageData (their files are
 * walked); the build cache comes from the builder's records; an image's SharedSize counts the
 * layers other images use too.
 */
public final class DiskUsageRoutes {
  private final Engine engine;

  public DiskUsageRoutes(Engine engine) {
    this.engine = engine;
  }

  public void register(Router router) {
    router.get("/system/df", this::diskUsage);
  }

  private void diskUsage(ApiRequest req, ApiResponse res) throws IOException {
    Set<String> types = Set.copyOf(req.queryAll("type"));
    boolean all = types.isEmpty();
    List<Image> images = engine.images().list();
    List<Container> containers = engine.containers().list();
    Map<String, Long> layerSizes = new HashMap<>();
    Map<String, Integer> layerUsers = new HashMap<>();
    for (Image i : images) {
      for (Image.ImageLayer l : i.layers()) {
        layerSizes.computeIfAbsent(l.chainId(), this::layerSize);
        layerUsers.merge(l.chainId(), 1, Integer::sum);
      }
    }
    Map<String, Long> usedBy = new HashMap<>();
    containers.forEach(c -> usedBy.merge(c.imageId(), 1L, Long::sum));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("LayersSize", layerSizes.values().stream().mapToLong(Long::longValue).sum());
    List<Object> imageList = new ArrayList<>();
    if (all || types.contains("image")) {
      for (Image i : images) {
        long shared = i.layers().stream().filter(l -> layerUsers.get(l.chainId()) > 1)
            .mapToLong(l -> layerSizes.get(l.chainId())).sum();
        ImageJsons.Summary s = ImageJsons.summary(i, false);
        imageList.add(new ImageJsons.Summary(s.id(), s.parentId(), s.repoTags(), s.repoDigests(), s.created(),
            s.size(), shared, null, s.labels(), usedBy.getOrDefault(i.id().toString(), 0L)));
      }
    }
    out.put("Images", imageList);
    List<Object> containerList = new ArrayList<>();
    if (all || types.contains("container")) {
      Instant now = Instant.now();
      for (Container c : containers) {
        Map<String, Object> summary = ContainerJsons.summary(c, now);
        long rw = size(engine.containers().dir(c.id()).resolve("upper"));
        summary.put("SizeRw", rw);
        summary.put("SizeRootFs", rw + engine.images().lookup(c.imageId()).map(Image::size).orElse(0L));
        containerList.add(summary);
      }
    }
    out.put("Containers", containerList);
    List<Object> volumeList = new ArrayList<>();
    if (all || types.contains("volume")) {
      VolumeRoutes volumes = new VolumeRoutes(engine.volumes());
      engine.volumes().list().forEach(v -> volumeList.add(volumes.json(v, true)));
    }
    out.put("Volumes", volumeList);
    out.put("BuildCache", all || types.contains("build-cache") ? BuildRoutes.cacheJson(engine.builds().usage())
        : List.of());
    res.json(200, out);
  }

  private long layerSize(String chainId) {
    try {
      return engine.images().layers().exists(chainId) ? engine.images().layers().get(chainId).size() : 0L;
    } catch (IOException e) {
      return 0L; // unreadable layer metadata: counted as empty rather than failing the report
    }
  }

  static long size(Path dir) {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
