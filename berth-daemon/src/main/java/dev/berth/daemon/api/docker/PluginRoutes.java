package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Route;
import dev.berth.daemon.http.Router;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /plugins}: Berth has no managed plugins, so the list is empty and every named plugin is
 * not found, in dockerd's words. Installing one (pull, create, privileges) answers 501.
 */
public final class PluginRoutes {
  static final String NO_PLUGINS = "Berth does not support Docker plugins: volumes use the local driver,"
      + " networks the bridge driver";

  public void register(Router router) {
    router.get("/plugins", PluginRoutes::list);
    Route unsupported = (req, res) -> res.json(501, Map.of("message", NO_PLUGINS));
    router.get("/plugins/privileges", unsupported);
    router.post("/plugins/pull", unsupported);
    router.post("/plugins/create", unsupported);
    Route notFound = (req, res) -> notFound(res, req.pathParam("name"));
    router.get("/plugins/{name:.*}/json", notFound);
    router.delete("/plugins/{name:.*}", notFound);
    for (String action : new String[] {"enable", "disable", "set", "push"}) {
      router.post("/plugins/{name:.*}/" + action, notFound);
    }
    // dockerd names the plugin with its tag here
    router.post("/plugins/{name:.*}/upgrade", (req, res) -> notFound(res, withTag(req.pathParam("name"))));
  }

  private static void list(ApiRequest req, ApiResponse res) throws IOException {
    Filters.parse(req.query("filters").orElse(null), Set.of("capability", "enabled"));
    res.json(200, List.of());
  }

  private static void notFound(ApiResponse res, String name) throws IOException {
    res.json(404, Map.of("message", "plugin \"" + name + "\" not found"));
  }

  private static String withTag(String name) {
    int slash = name.lastIndexOf('/');
    return name.indexOf('@') >= 0 || name.indexOf(':', slash + 1) >= 0 ? name : name + ":latest";
  }
}
