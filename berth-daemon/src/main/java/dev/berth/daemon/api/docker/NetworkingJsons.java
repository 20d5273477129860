package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerNetworking;
import dev.berth.engine.network.Attached;
import dev.berth.engine.network.EndpointSettings;
import dev.berth.engine.network.Network;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.network.PortBinding;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The network parts of Docker's container JSON (create body, inspect's NetworkSettings, list's Ports) and network JSON. */
final class NetworkingJsons {
  static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'")
      .withZone(ZoneOffset.UTC);

  private NetworkingJsons() {}

  static ContainerNetworking fromCreate(JsonNode body) {
    JsonNode host = body.path("HostConfig");
    List<PortBinding> ports = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = host.path("PortBindings").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String[] key = e.getKey().split("/", 2);
      int containerPort = port(key[0], e.getKey());
      String proto = key.length > 1 ? key[1] : "tcp";
      if (e.getValue() == null || !e.getValue().isArray() || e.getValue().isEmpty()) {
        ports.add(new PortBinding(proto, containerPort, "", 0));
      }
      for (JsonNode b : e.getValue()) {
        String hp = b.path("HostPort").asText("");
        ports.add(new PortBinding(proto, containerPort, b.path("HostIp").asText(""), hp.isEmpty() ? 0 : port(hp, hp)));
      }
    }
    Map<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.path("NetworkingConfig").path("EndpointsConfig").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      endpoints.put(e.getKey(), endpoint(e.getValue()));
    }
    List<String> exposed = new ArrayList<>();
    body.path("ExposedPorts").fieldNames().forEachRemaining(k -> exposed.add(k.contains("/") ? k : k + "/tcp"));
    return new ContainerNetworking(host.path("PublishAllPorts").asBoolean(false), ports, endpoints, exposed);
  }

  static EndpointSettings endpoint(JsonNode n) {
    List<String> aliases = new ArrayList<>();
    n.path("Aliases").forEach(a -> aliases.add(a.asText()));
    String ip = n.path("IPAMConfig").path("IPv4Address").asText("");
    return EndpointSettings.of(aliases, ip.isEmpty() ? null : ip);
  }

  private static int port(String text, String what) {
    try {
      String t = text.contains("-") ? text.substring(0, text.indexOf('-')) : text;
      return Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid port " + what + ": use a number 1-65535");
    }
  }

  /** HostConfig's PortBindings as Docker writes them. */
  static Map<String, Object> portBindings(ContainerNetworking n) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (PortBinding p : n.portBindings()) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) m.computeIfAbsent(p.key(), k -> new ArrayList<>());
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("HostIp", p.hostIp());
      b.put("HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort()));
      list.add(b);
    }
    return m;
  }

  /** NetworkSettings of container inspect (API 1.51). */
  static Map<String, Object> networkSettings(Container c, NetworkService networks) {
    String mode = c.config().networkMode();
    Map<String, Object> n = new LinkedHashMap<>();
    List<NetworkService.EndpointView> eps = networks == null ? List.of() : networks.endpoints(c.id());
    boolean attached = eps.stream().anyMatch(e -> e.attached().isPresent());
    n.put("Bridge", "");
    n.put("SandboxID", attached ? c.id() : "");
    n.put("HairpinMode", false);
    n.put("LinkLocalIPv6Address", "");
    n.put("LinkLocalIPv6PrefixLen", 0);
    n.put("Ports", c.running() ? ports(c, networks) : Map.of());
    n.put("SandboxKey", attached ? networks.netnsPath(c.id()).toString() : "");
    n.put("SecondaryIPAddresses", null);
    n.put("SecondaryIPv6Addresses", null);
    Map<String, Object> nets = new LinkedHashMap<>();
    Map<String, Object> top = endpoint(c, null, Optional.empty());
    for (NetworkService.EndpointView e : eps) {
      Map<String, Object> ep = endpoint(c, e, e.attached());
      nets.put(e.network().name(), ep);
      if (e.network().isDefault()) {
        top = ep;
      }
    }
    if (eps.isEmpty()) {
      nets.put(mode.startsWith("container:") ? "container" : mode, endpoint(c, null, Optional.empty()));
    }
    for (String k : List.of("Gateway", "IPAddress", "IPPrefixLen", "MacAddress", "EndpointID")) {
      n.put(k, top.get(k));
    }
    n.put("GlobalIPv6Address", "");
    n.put("GlobalIPv6PrefixLen", 0);
    n.put("IPv6Gateway", "");
    n.put("Networks", nets);
    return n;
  }

  private static Map<String, Object> endpoint(Container c, NetworkService.EndpointView e, Optional<Attached> a) {
    Map<String, Object> m = new LinkedHashMap<>();
    EndpointSettings s = e == null ? null : e.settings();
    m.put("IPAMConfig", s == null || s.ipv4Address() == null ? null : Map.of("IPv4Address", s.ipv4Address()));
    m.put("Links", null);
    m.put("Aliases", s == null || s.aliases().isEmpty() ? null : s.aliases());
    m.put("MacAddress", a.map(Attached::macAddress).orElse(""));
    m.put("DriverOpts", null);
    m.put("GwPriority", 0);
    m.put("NetworkID", e == null ? "" : e.network().id());
    m.put("EndpointID", a.isPresent() ? endpointId(c.id(), e.network().id()) : "");
    m.put("Gateway", a.map(Attached::gateway).orElse(""));
    m.put("IPAddress", a.map(Attached::ipAddress).orElse(""));
    m.put("IPPrefixLen", a.map(Attached::prefixLen).orElse(0));
    m.put("IPv6Gateway", "");
    m.put("GlobalIPv6Address", "");
    m.put("GlobalIPv6PrefixLen", 0);
    List<String> dns = new ArrayList<>();
    if (e != null && !e.network().isDefault()) {
      dns.add(c.name());
      dns.add(c.id().substring(0, 12));
      dns.addAll(s.aliases());
    }
    m.put("DNSNames", dns.isEmpty() ? null : dns);
    return m;
  }

  /** A stable endpoint ID: the container's and network's IDs hashed together. */
  static String endpointId(String containerId, String networkId) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest((containerId + "/" + networkId).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]}; exposed but unpublished ports map to null. */
  static Map<String, Object> ports(Container c, NetworkService networks) {
    Map<String, Object> m = new LinkedHashMap<>();
    c.config().networking().exposedPorts().forEach(k -> m.put(k, null));
    for (PortBinding p : networks == null ? List.<PortBinding>of() : networks.publishedPorts(c.id())) {
      @SuppressWarnings("unchecked")
      List<Object> list = m.get(p.key()) instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("HostIp", p.hostIpOrAny());
      b.put("HostPort", Integer.toString(p.hostPort()));
      list.add(b);
      m.put(p.key(), list);
    }
    return m;
  }

  /** GET /containers/json's Ports. */
  static List<Object> summaryPorts(Container c, NetworkService networks) {
    List<Object> out = new ArrayList<>();
    if (!c.running() || networks == null) {
      return out;
    }
    for (PortBinding p : networks.publishedPorts(c.id())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("IP", p.hostIpOrAny());
      m.put("PrivatePort", p.containerPort());
      m.put("PublicPort", p.hostPort());
      m.put("Type", p.protocol());
      out.add(m);
    }
    return out;
  }

  /**
   * Exactly the options the network's creator gave (docker-compose compares them with its file and
   * otherwise wants the network recreated); the default bridge shows those dockerd gives docker0.
   */
  static Map<String, String> options(Network n) {
    if (!n.isDefault()) {
      return n.config().options();
    }
    Map<String, String> options = new LinkedHashMap<>();
    options.put("com.docker.network.bridge.default_bridge", "true");
    options.put("com.docker.network.bridge.enable_icc", "true");
    options.put("com.docker.network.bridge.enable_ip_masquerade", "true");
    options.put("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
    options.put("com.docker.network.bridge.name", n.config().bridge());
    options.put("com.docker.network.driver.mtu", "1500");
    return options;
  }

  /** A network as Docker's /networks answers it; {@code containers} only for inspect. */
  static Map<String, Object> network(Network n, NetworkService networks, boolean withContainers,
      java.util.function.Function<String, Optional<Container>> container) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", n.name());
    m.put("Id", n.id());
    m.put("Created", NANOS.format(n.created()));
    m.put("Scope", "local");
    m.put("Driver", n.config().driver());
    m.put("EnableIPv4", true);
    m.put("EnableIPv6", false);
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("Subnet", n.config().subnet());
    if (!n.config().gatewayImplicit()) {
      cfg.put("Gateway", n.config().gateway());
    }
    if (n.config().ipRange() != null) {
      cfg.put("IPRange", n.config().ipRange());
    }
    Map<String, Object> ipam = new LinkedHashMap<>();
    ipam.put("Driver", "default");
    ipam.put("Options", null);
    ipam.put("Config", List.of(cfg));
    m.put("IPAM", ipam);
    m.put("Internal", n.config().internal());
    m.put("Attachable", false);
    m.put("Ingress", false);
    m.put("ConfigFrom", Map.of("Network", ""));
    m.put("ConfigOnly", false);
    Map<String, Object> cs = new LinkedHashMap<>();
    if (withContainers) {
      for (Container c : networks.containersOn(n.id()).stream().map(container).flatMap(Optional::stream).toList()) {
        networks.endpoints(c.id()).stream().filter(e -> e.network().id().equals(n.id()) && e.attached().isPresent())
            .findFirst().ifPresent(e -> {
              Map<String, Object> ep = new LinkedHashMap<>();
              ep.put("Name", c.name());
              ep.put("EndpointID", endpointId(c.id(), n.id()));
              ep.put("MacAddress", e.attached().get().macAddress());
              ep.put("IPv4Address", e.attached().get().ipAddress() + "/" + e.attached().get().prefixLen());
              ep.put("IPv6Address", "");
              cs.put(c.id(), ep);
            });
      }
    }
    m.put("Containers", cs);
    m.put("Options", options(n));
    m.put("Labels", n.config().labels());
    return m;
  }
}
