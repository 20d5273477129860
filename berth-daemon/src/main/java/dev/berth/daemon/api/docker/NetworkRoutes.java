package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.VmNetworks;
import dev.berth.engine.network.Network;
import dev.berth.engine.network.NetworkService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The /networks endpoints of the Docker API, mapped onto {@link NetworkService}. */
public final class NetworkRoutes {
  private final NetworkService networks;
  private final ContainerService containers;
  private final BuiltinNetworks builtins;

  public NetworkRoutes(Engine engine) {
    this.networks = engine.networks();
    this.containers = engine.containers();
    this.builtins = new BuiltinNetworks(engine.system().daemonId(), networks.find(Network.DEFAULT).created());
  }

  public void register(Router router) {
    router.get("/networks", this::list);
    router.post("/networks/create", this::create);
    router.post("/networks/prune", this::prune);
    router.get("/networks/{id}", this::inspect);
    router.delete("/networks/{id}", this::remove);
    router.post("/networks/{id}/connect", this::connect);
    router.post("/networks/{id}/disconnect", this::disconnect);
  }

  private Optional<Container> container(String id) {
    try {
      return Optional.of(containers.find(id));
    } catch (BerthException.NotFound gone) {
      return Optional.empty();
    }
  }

  private void list(ApiRequest req, ApiResponse res) throws IOException {
    Filters f = Filters.parse(req.query("filters").orElse(null), Set.of("name", "id", "label", "driver", "type",
        "dangling"));
    List<Object> out = new ArrayList<>();
    for (Network n : networks.list()) {
      if (matches(n, f)) {
        out.add(NetworkingJsons.network(n, networks, false, this::container));
      }
    }
    for (BuiltinNetworks.Builtin b : builtins.all()) {
      if (matches(b, f)) {
        out.add(builtins.json(b, List.of()));
      }
    }
    res.json(200, out);
  }

  /** host and none: builtin, never dangling, without labels. */
  private static boolean matches(BuiltinNetworks.Builtin b, Filters f) {
    return (!f.has("name") || f.get("name").stream().anyMatch(b.name()::contains))
        && (!f.has("id") || f.get("id").stream().anyMatch(b.id()::startsWith))
        && (!f.has("driver") || f.get("driver").contains(b.driver()))
        && (!f.has("type") || f.get("type").contains("builtin"))
        && (!f.has("dangling") || f.get("dangling").contains("false") || f.get("dangling").contains("0"))
        && !f.has("label");
  }

  private boolean matches(Network n, Filters f) {
    if (f.has("name") && f.get("name").stream().noneMatch(x -> n.name().contains(x))) {
      return false;
    }
    if (f.has("id") && f.get("id").stream().noneMatch(n.id()::startsWith)) {
      return false;
    }
    if (f.has("driver") && !f.get("driver").contains(n.config().driver())) {
      return false;
    }
    if (f.has("type") && !f.get("type").contains(n.isDefault() ? "builtin" : "custom")) {
      return false;
    }
    if (f.has("dangling")) {
      boolean dangling = !n.isDefault() && networks.containersOn(n.id()).isEmpty();
      if (!f.get("dangling").contains(Boolean.toString(dangling)) && !f.get("dangling").contains(dangling ? "1" : "0")) {
        return false;
      }
    }
    return f.labelsMatch(n.config().labels());
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    Optional<BuiltinNetworks.Builtin> builtin = builtins.find(req.pathParam("id"));
    if (builtin.isPresent()) {
      res.json(200, builtins.json(builtin.get(), containers.list()));
      return;
    }
    res.json(200, NetworkingJsons.network(networks.find(req.pathParam("id")), networks, true, this::container));
  }

  private void create(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode b = req.jsonBody(JsonNode.class);
    if (b == null || !b.isObject()) {
      throw new BerthException.InvalidArgument("a network create body (JSON object) is required");
    }
    if (b.path("EnableIPv6").asBoolean(false)) {
      throw new BerthException.InvalidArgument("IPv6 networks are not supported");
    }
    JsonNode configs = b.path("IPAM").path("Config");
    if (configs.size() > 1) {
      throw new BerthException.InvalidArgument("only one IPAM config (one --subnet) per network is supported");
    }
    JsonNode ipam = configs.size() == 1 ? configs.get(0) : b.path("IPAM").path("Config").path(0);
    Network n = networks.create(b.path("Name").asText(""), new NetworkService.CreateRequest(
        b.path("Driver").asText(""), text(ipam, "Subnet"), text(ipam, "Gateway"), text(ipam, "IPRange"),
        b.path("Internal").asBoolean(false), strings(b.path("Labels")), strings(b.path("Options"))));
    res.json(201, Map.of("Id", n.id(), "Warning", ""));
  }

  private static String text(JsonNode n, String field) {
    String s = n.path(field).asText("");
    return s.isEmpty() ? null : s;
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    var builtin = builtins.find(req.pathParam("id"));
    if (builtin.isPresent()) {
      // dockerd's status for this: forbidden
      res.json(403, Map.of("message", builtin.get().name() + " is a pre-defined network and cannot be removed"));
      return;
    }
    networks.remove(req.pathParam("id"));
    res.empty(204);
  }

  private void prune(ApiRequest req, ApiResponse res) throws IOException {
    Filters f = Filters.parse(req.query("filters").orElse(null), Set.of("label", "until"));
    List<String> gone = networks.prune(n -> f.labelsMatch(n.config().labels())).stream().map(Network::name).toList();
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("NetworksDeleted", gone.isEmpty() ? null : gone); // dockerd's null for none
    res.json(200, body);
  }

  private void connect(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode b = req.jsonBody(JsonNode.class);
    Container c = containers.find(b == null ? "" : b.path("Container").asText(""));
    refuseBuiltin(req.pathParam("id"), "connected to");
    VmNetworks.refuseLiveChange(c, "connect");
    networks.connect(c.id(), c.name(), req.pathParam("id"), NetworkingJsons.endpoint(b.path("EndpointConfig")),
        c.running());
    res.empty(200);
  }

  private void disconnect(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode b = req.jsonBody(JsonNode.class);
    Container c = containers.find(b == null ? "" : b.path("Container").asText(""));
    refuseBuiltin(req.pathParam("id"), "disconnected from");
    VmNetworks.refuseLiveChange(c, "disconnect");
    networks.disconnect(c.id(), req.pathParam("id"));
    res.empty(200);
  }

  /** As dockerd: host and none are a container's mode, chosen at create, never joined or left later. */
  private void refuseBuiltin(String network, String verb) {
    builtins.find(network).ifPresent(b -> {
      throw new BerthException.InvalidArgument("container cannot be " + verb + " the " + b.name()
          + " network: it is chosen at create (--network " + b.name() + ")");
    });
  }
}
