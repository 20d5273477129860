package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/** A CNI ADD result (spec 0.3.0 to 1.0.0: interfaces, ips, routes, dns); unknown fields are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CniResult(String cniVersion, List<Interface> interfaces, List<Ip> ips, List<Route> routes, Dns dns) {
  static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public CniResult {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    ips = ips == null ? List.of() : List.copyOf(ips);
    routes = routes == null ? List.of() : List.copyOf(routes);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Interface(String name, String mac, String sandbox) {}

  /** {@code interface} indexes {@link #interfaces()}; null when the plugin did not say. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Ip(@com.fasterxml.jackson.annotation.JsonProperty("interface") Integer iface, String address,
      String gateway) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Route(String dst, String gw) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Dns(List<String> nameservers, String domain, List<String> search) {}

  public static CniResult parse(byte[] json) throws IOException {
    return JSON.readValue(json, CniResult.class);
  }

  public JsonNode toJson() {
    return JSON.valueToTree(this);
  }

  /** The first IPv4 address on the interface named {@code ifname} inside the sandbox. */
  public java.util.Optional<Attached> attached(String ifname) {
    int index = -1;
    String mac = "";
    for (int i = 0; i < interfaces.size(); i++) {
      Interface f = interfaces.get(i);
      if (ifname.equals(f.name()) && f.sandbox() != null && !f.sandbox().isEmpty()) {
        index = i;
        mac = f.mac() == null ? "" : f.mac();
      }
    }
    for (Ip ip : ips) {
      if (ip.address() == null || ip.address().contains(":")) {
        continue;
      }
      if (ip.iface() == null || ip.iface() == index) {
        Cidr c = Cidr.parse(ip.address());
        return java.util.Optional.of(new Attached(ifname, c.addressText(), c.prefix(),
            ip.gateway() == null ? "" : ip.gateway(), mac));
      }
    }
    return java.util.Optional.empty();
  }
}
