package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What CNI gave a running container on one network.
 *
 * @param result the plugins' whole ADD result (JSON), which CHECK and DEL are given back
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Attached(String ifname, String ipAddress, int prefixLen, String gateway, String macAddress,
    String result) {
  public Attached(String ifname, String ipAddress, int prefixLen, String gateway, String macAddress) {
    this(ifname, ipAddress, prefixLen, gateway, macAddress, null);
  }

  Attached withResult(String json) {
    return new Attached(ifname, ipAddress, prefixLen, gateway, macAddress, json);
  }
}
