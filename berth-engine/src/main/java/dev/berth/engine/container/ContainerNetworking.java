package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A container's network options besides its mode (published ports, aliases, addresses).
 *
 * @param publishAllPorts -P: publish every EXPOSEd port on a free host port
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerNetworking(boolean publishAllPorts) {
  public static final ContainerNetworking NONE = new ContainerNetworking(false);
}
