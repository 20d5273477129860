package dev.berth.daemon.api.docker;

import dev.berth.engine.container.Container;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Docker's two pre-defined networks that are not bridges: {@code host} (driver host) and
 * {@code none} (driver null). They have no CNI config or addresses, so they are not rows of the
 * network service; the API shows them in lists and inspect as dockerd does, with IDs derived
 * from the daemon's ID (stable for one daemon, different between daemons).
 */
final class BuiltinNetworks {
  record Builtin(String name, String driver, String id) {}

  private final List<Builtin> builtins;
  private final Instant created;

  BuiltinNetworks(String daemonId, Instant created) {
    this.builtins = List.of(new Builtin("host", "host", id(daemonId, "host")),
        new Builtin("none", "null", id(daemonId, "none")));
    this.created = created;
  }

  List<Builtin> all() {
    return builtins;
  }

  /** The builtin network named or identified (full ID or a prefix of it) by {@code ref}. */
  Optional<Builtin> find(String ref) {
    return builtins.stream().filter(b -> b.name().equals(ref) || (ref.length() >= 3 && b.id().startsWith(ref)))
        .findFirst();
  }

  /** Docker's network object; with {@code containers}, those whose network mode is this network. */
  Map<String, Object> json(Builtin b, List<Container> containers) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", b.name());
    m.put("Id", b.id());
    m.put("Created", NetworkingJsons.NANOS.format(created));
    m.put("Scope", "local");
    m.put("Driver", b.driver());
    m.put("EnableIPv4", true);
    m.put("EnableIPv6", false);
    Map<String, Object> ipam = new LinkedHashMap<>();
    ipam.put("Driver", "default");
    ipam.put("Options", null);
    ipam.put("Config", List.of());
    m.put("IPAM", ipam);
    m.put("Internal", false);
    m.put("Attachable", false);
    m.put("Ingress", false);
    m.put("ConfigFrom", Map.of("Network", ""));
    m.put("ConfigOnly", false);
    Map<String, Object> cs = new LinkedHashMap<>();
    for (Container c : containers) {
      if (c.running() && c.config().networkMode().equals(b.name())) {
        cs.put(c.id(), Map.of("Name", c.name(), "EndpointID", "", "MacAddress", "", "IPv4Address", "",
            "IPv6Address", ""));
      }
    }
    m.put("Containers", cs);
    m.put("Options", Map.of());
    m.put("Labels", Map.of());
    return m;
  }

  private static String id(String daemonId, String name) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((daemonId + "/network/" + name)
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
