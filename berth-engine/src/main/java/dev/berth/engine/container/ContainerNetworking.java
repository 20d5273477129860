package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.berth.engine.network.EndpointSettings;
import dev.berth.engine.network.PortBinding;
import java.util.List;
import java.util.Map;

/**
 * A container's network options besides its mode (published ports, aliases, addresses).
 *
 * @param publishAllPorts -P: publish every EXPOSEd port on a free host port
 * @param portBindings -p: HostConfig.PortBindings, one entry per host binding
 * @param endpoints NetworkingConfig.EndpointsConfig by network name (--network-alias, --ip)
 * @param exposedPorts the create body's ExposedPorts keys ("80/tcp"), besides the image's
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerNetworking(boolean publishAllPorts, List<PortBinding> portBindings,
    Map<String, EndpointSettings> endpoints, List<String> exposedPorts) {
  public static final ContainerNetworking NONE = new ContainerNetworking(false, null, null, null);

  public ContainerNetworking {
    portBindings = portBindings == null ? List.of() : List.copyOf(portBindings);
    endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
    exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
  }

  public ContainerNetworking(boolean publishAllPorts) {
    this(publishAllPorts, null, null, null);
  }
}
