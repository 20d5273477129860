package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Route;
import dev.berth.daemon.http.Router;
import java.io.IOException;
import java.util.Map;

/**
 * Swarm mode's routes ({@code /swarm}, {@code /services}, {@code /nodes}, {@code /tasks},
 * {@code /secrets}, {@code /configs}) answered as dockerd 20.10 answers them on a node that is
 * not in a swarm: 503 with its words. Clients ask these to learn that there is no swarm
 * (a 404 makes some give up). Berth cannot join or make a swarm: init and join answer 501.
 */
public final class SwarmRoutes {
  static final String NOT_A_MANAGER = "This node is not a swarm manager. Use \"docker swarm init\" or"
      + " \"docker swarm join\" to connect this node to swarm and try again.";
  static final String NOT_IN_A_SWARM = "This node is not part of a swarm";
  static final String NO_SWARM_MODE = "Berth does not support swarm mode: it runs containers on this node only"
      + " (use a Docker Engine or Kubernetes for a cluster)";

  public void register(Router router) {
    Route notManager = (req, res) -> unavailable(res, NOT_A_MANAGER);
    router.get("/swarm", notManager);
    router.post("/swarm/init", (req, res) -> res.json(501, Map.of("message", NO_SWARM_MODE)));
    router.post("/swarm/join", (req, res) -> res.json(501, Map.of("message", NO_SWARM_MODE)));
    router.post("/swarm/leave", (req, res) -> unavailable(res, NOT_IN_A_SWARM));
    router.post("/swarm/update", notManager);
    router.get("/swarm/unlockkey", notManager);
    router.post("/swarm/unlock", notManager);
    for (String kind : new String[] {"services", "secrets", "configs"}) {
      router.get("/" + kind, notManager);
      router.post("/" + kind + "/create", notManager);
      router.get("/" + kind + "/{id}", notManager);
      router.post("/" + kind + "/{id}/update", notManager);
      router.delete("/" + kind + "/{id}", notManager);
    }
    router.get("/services/{id}/logs", SwarmRoutes::logs);
    router.get("/nodes", notManager);
    router.get("/nodes/{id}", notManager);
    router.post("/nodes/{id}/update", notManager);
    router.delete("/nodes/{id}", notManager);
    router.get("/tasks", notManager);
    router.get("/tasks/{id}", notManager);
    router.get("/tasks/{id}/logs", SwarmRoutes::logs);
  }

  private static void unavailable(ApiResponse res, String message) throws IOException {
    res.json(503, Map.of("message", message));
  }

  /** dockerd checks the log request before it looks for the swarm. */
  private static void logs(ApiRequest req, ApiResponse res) throws IOException {
    if (!truthy(req, "stdout") && !truthy(req, "stderr")) {
      // dockerd's status for this (a plain error, not a bad-parameter one)
      res.json(500, Map.of("message", "Bad parameters: you must choose at least one stream"));
      return;
    }
    unavailable(res, NOT_A_MANAGER);
  }

  private static boolean truthy(ApiRequest req, String name) {
    return req.query(name).map(v -> !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false")).orElse(false);
  }
}
