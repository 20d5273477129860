package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A container's membership of a network, as asked for (create's EndpointsConfig, connect).
 *
 * @param containerName the container's name when it joined (DNS answers it)
 * @param aliases more names the container answers to on this network
 * @param ipv4Address a fixed address (--ip); null = the next free one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EndpointSettings(String containerName, List<String> aliases, String ipv4Address) {
  public EndpointSettings {
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    ipv4Address = ipv4Address == null || ipv4Address.isBlank() ? null : ipv4Address;
  }

  public static EndpointSettings of(List<String> aliases, String ipv4Address) {
    return new EndpointSettings(null, aliases, ipv4Address);
  }

  EndpointSettings named(String name) {
    return new EndpointSettings(name, aliases, ipv4Address);
  }
}
