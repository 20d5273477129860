package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.container.ContainerNetworking;

/** The network parts of Docker's container JSON (create body, inspect's NetworkSettings). */
final class NetworkingJsons {
  private NetworkingJsons() {}

  static ContainerNetworking fromCreate(JsonNode body) {
    return new ContainerNetworking(body.path("HostConfig").path("PublishAllPorts").asBoolean(false));
  }
}
