package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.volume.Volume;
import dev.berth.engine.volume.VolumeService;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The volume endpoints of the Docker API ({@code /volumes…}), mapped onto the engine's {@link VolumeService}. */
public final class VolumeRoutes {
  /** From API 1.42 (Docker 23) prune removes only anonymous volumes unless the filter all=true says otherwise. */
  private static final ApiVersion PRUNE_ANONYMOUS_ONLY = new ApiVersion(1, 42);

  private final VolumeService volumes;

  public VolumeRoutes(VolumeService volumes) {
    this.volumes = volumes;
  }

  public void register(Router router) {
    router.get("/volumes", this::list);
    router.post("/volumes/create", this::create);
    router.post("/volumes/prune", this::prune);
    router.get("/volumes/{name}", this::inspect);
    router.delete("/volumes/{name}", this::remove);
  }

  private void list(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null), Set.of("name", "driver", "label", "dangling"));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Volume v : volumes.list()) {
      if (matches(filters, v)) {
        out.add(json(v, req.queryFlag("size")));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Volumes", out);
    body.put("Warnings", null); // dockerd's: no warnings is null
    res.json(200, body);
  }

  private boolean matches(Filters f, Volume v) {
    if (f.has("name") && f.get("name").stream().noneMatch(n -> v.name().contains(n))) {
      return false;
    }
    if (f.has("driver") && !f.get("driver").contains(v.driver())) {
      return false;
    }
    if (!f.labelsMatch(v.labels())) {
      return false;
    }
    if (f.has("dangling")) {
      String d = f.get("dangling").getFirst();
      if (!Set.of("true", "false", "1", "0").contains(d)) {
        throw new BerthException.InvalidArgument("invalid filter 'dangling=" + d + "': use true or false");
      }
      boolean wantDangling = d.equals("true") || d.equals("1");
      return volumes.users(v.name()).isEmpty() == wantDangling;
    }
    return true;
  }

  private void create(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode body = req.jsonBody(JsonNode.class);
    if (body == null || !body.isObject()) {
      body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    String name = body.path("Name").asText("");
    Volume v;
    try {
      v = volumes.create(name, body.path("Driver").asText(""), strings(body.path("Labels")),
          strings(body.path("DriverOpts")));
    } catch (BerthException.NotFound | BerthException.InvalidArgument e) {
      // dockerd names the failed call first
      String message = "create " + name + ": " + e.getMessage();
      throw e instanceof BerthException.NotFound ? new BerthException.NotFound(message)
          : new BerthException.InvalidArgument(message);
    }
    res.json(201, json(v, false));
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    res.json(200, json(volumes.find(req.pathParam("name")), req.queryFlag("size")));
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    volumes.remove(req.pathParam("name"), req.queryFlag("force"));
    res.empty(204);
  }

  private void prune(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null), Set.of("label", "label!", "all"));
    boolean all = filters.get("all").stream().anyMatch(a -> a.equals("true") || a.equals("1"))
        || req.apiVersion().map(v -> v.isOlderThan(PRUNE_ANONYMOUS_ONLY)).orElse(false);
    VolumeService.Pruned pruned = volumes.prune(all, v -> filters.labelsMatch(v.labels())
        && filters.get("label!").stream().noneMatch(l -> new Filters(Map.of("label", List.of(l))).labelsMatch(v.labels())));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("VolumesDeleted", pruned.names());
    body.put("SpaceReclaimed", pruned.reclaimedBytes());
    res.json(200, body);
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Docker's Volume object; UsageData only when asked ({@code size=1}), as it walks the files. */
  Map<String, Object> json(Volume v, boolean withUsage) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("CreatedAt", DateTimeFormatter.ISO_INSTANT.format(v.createdAt().truncatedTo(ChronoUnit.SECONDS)
        .atOffset(ZoneOffset.UTC)));
    m.put("Driver", v.driver());
    m.put("Labels", v.labels().isEmpty() ? null : v.labels());
    m.put("Mountpoint", v.mountpoint().toString());
    m.put("Name", v.name());
    m.put("Options", v.options().isEmpty() ? null : v.options());
    m.put("Scope", "local");
    if (withUsage) {
      m.put("UsageData", Map.of("Size", volumes.size(v), "RefCount", volumes.users(v.name()).size()));
    }
    return m;
  }
}
