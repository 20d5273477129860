package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.build.BuildCacheUsage;
import dev.berth.engine.build.BuildCancel;
import dev.berth.engine.build.BuildPruneResult;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.filesystem.BuildContext;
import dev.berth.engine.filesystem.ContextArchive;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /build} (the classic builder's API, as {@code DOCKER_BUILDKIT=0 docker build},
 * docker-py, docker-java and docker-compose 1.29 call it) and {@code POST /build/prune}. The
 * context is spooled under the data-root for the build (extracted only when a step needs its
 * files) and removed after it; a client that
 * hangs up cancels the build.
 */
public final class BuildRoutes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BuildRoutes.class);
  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private final Engine engine;

  public BuildRoutes(Engine engine) {
    this.engine = engine;
  }

  public void register(Router router) {
    router.post("/build", this::build);
    router.post("/build/prune", this::prune);
  }

  private void build(ApiRequest req, ApiResponse res) throws IOException {
    BuildQuery query = BuildQuery.parse(req); // a refused parameter fails before the body is read
    var auth = RegistryAuth.decodeConfig(req.header("X-Registry-Config"));
    long t0 = System.nanoTime();
    try (BuildContext context = ContextArchive.receive(req.body(), engine.scratchDir(), query.dockerfile())) {
      long t1 = System.nanoTime();
      run(query.request(context, auth), query.quiet(), res);
      LOG.debug("build context received in {} ms, built and answered in {} ms", (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
    }
  }

  private void run(BuildRequest request, boolean quiet, ApiResponse res) throws IOException {
    BuildCancel cancel = new BuildCancel();
    BuildMessages messages = new BuildMessages(res, quiet);
    // dockerd cancels a build when its client goes, also while the stream is quiet (a RUN
    // sleeping); the cancel kills a RUN container, so it runs off the network thread.
    AutoCloseable hangUp = res.onHangUp(() -> Thread.ofVirtual().name("build-hang-up").start(cancel::cancel));
    try {
      String imageId = engine.builds().build(request, event -> {
        messages.event(event);
        if (messages.clientGone()) {
          cancel.cancel();
        }
      }, cancel);
      messages.built(imageId);
    } catch (RuntimeException e) {
      if (!messages.failureGoesInStream()) {
        throw e; // nothing sent yet: a plain error status, as dockerd answers a parse error
      }
      if (!(e instanceof BerthException)) {
        LOG.error("build failed unexpectedly", e);
      }
      messages.failed(e); // the answer began: the error ends the stream, as dockerd writes it
    } finally {
      closeQuietly(hangUp);
    }
    messages.close();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException(e); // forgetting a listener throws nothing
    }
  }

  private void prune(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null), Set.of("until"));
    Duration keep = filters.has("until") ? goDuration(filters.get("until").getFirst()) : Duration.ZERO;
    long keepStorage = 0;
    try {
      keepStorage = Long.parseLong(req.query("keep-storage").orElse("0"));
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid keep-storage \"" + req.query("keep-storage").get()
          + "\": give a number of bytes");
    }
    BuildPruneResult result;
    if (keepStorage > 0 && engine.builds().usage().totalSize() <= keepStorage) {
      result = new BuildPruneResult(List.of(), 0); // the cache is within what may be kept
    } else {
      result = engine.builds().prune(req.queryFlag("all"), keep);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("CachesDeleted", result.cachesDeleted());
    body.put("SpaceReclaimed", result.spaceReclaimed());
    res.json(200, body);
  }

  /** The BuildCache list of {@code GET /system/df}, in the API's field names. */
  static List<Map<String, Object>> cacheJson(BuildCacheUsage usage) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (BuildCacheUsage.Entry e : usage.entries()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ID", e.id());
      m.put("Parent", e.parent() == null ? "" : e.parent());
      m.put("Parents", e.parent() == null || e.parent().isEmpty() ? List.of() : List.of(e.parent()));
      m.put("Type", e.type());
      m.put("Description", e.description());
      m.put("InUse", e.inUse());
      m.put("Shared", e.shared());
      m.put("Size", e.size());
      m.put("CreatedAt", e.createdAt() == null ? null : e.createdAt().toString());
      m.put("LastUsedAt", e.lastUsedAt() == null ? null : e.lastUsedAt().toString());
      m.put("UsageCount", e.usageCount());
      out.add(m);
    }
    return out;
  }

  /** A Go duration as the docker CLI passes {@code --filter until=24h} ("1h30m", "90s"). */
  static Duration goDuration(String s) {
    if (!s.matches("(" + GO_DURATION_PART.pattern() + ")+")) {
      throw new BerthException.InvalidArgument("invalid until filter \"" + s
          + "\": give a duration such as 24h or 90m");
    }
    Duration total = Duration.ZERO;
    Matcher m = GO_DURATION_PART.matcher(s);
    while (m.find()) {
      double n = Double.parseDouble(m.group(1));
      double nanosPerUnit = switch (m.group(2)) {
        case "h" -> 3_600e9;
        case "m" -> 60e9;
        case "s" -> 1e9;
        case "ms" -> 1e6;
        case "us", "µs" -> 1e3;
        default -> 1;
      };
      total = total.plusNanos((long) (n * nanosPerUnit));
    }
    return total;
  }

}
