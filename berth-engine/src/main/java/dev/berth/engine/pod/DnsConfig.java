package dev.berth.engine.pod;

import java.util.List;

/** A pod's resolv.conf (CRI {@code DNSConfig}); all empty = the host's resolv.conf. */
public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {
  public static final DnsConfig NONE = new DnsConfig(List.of(), List.of(), List.of());

  public DnsConfig {
    servers = servers == null ? List.of() : List.copyOf(servers);
    searches = searches == null ? List.of() : List.copyOf(searches);
    options = options == null ? List.of() : List.copyOf(options);
  }

  public boolean isEmpty() {
    return servers.isEmpty() && searches.isEmpty() && options.isEmpty();
  }
}
