package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * A network's settings, as created (stored as JSON).
 *
 * @param driver only "bridge"
 * @param subnet e.g. 10.89.1.0/24
 * @param gateway the bridge's address, in the subnet
 * @param ipRange where containers' addresses come from (a part of the subnet); null = the whole subnet
 * @param internal no traffic in or out of the network, only between its containers
 * @param bridge the Linux bridge's name
 * @param dns whether berthd answers names of the network's containers on the gateway (user-defined networks)
 * @param gatewayImplicit the creator gave a subnet but no gateway: the gateway is the subnet's first address,
 *     and inspect leaves it out of the IPAM config, as dockerd does
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NetworkConfig(String driver, String subnet, String gateway, String ipRange, boolean internal,
    Map<String, String> labels, Map<String, String> options, String bridge, boolean dns, boolean gatewayImplicit) {
  public NetworkConfig {
    driver = driver == null || driver.isEmpty() ? "bridge" : driver;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  public NetworkConfig(String driver, String subnet, String gateway, String ipRange, boolean internal,
      Map<String, String> labels, Map<String, String> options, String bridge, boolean dns) {
    this(driver, subnet, gateway, ipRange, internal, labels, options, bridge, dns, false);
  }
}
