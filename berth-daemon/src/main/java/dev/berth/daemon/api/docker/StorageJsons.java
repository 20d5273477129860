package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.container.ContainerStorage;
import java.util.ArrayList;
import java.util.List;

/** The storage parts of Docker's container JSON (create body's Binds/Mounts/Tmpfs, inspect's Mounts). */
final class StorageJsons {
  private StorageJsons() {}

  static ContainerStorage fromCreate(JsonNode body) {
    List<String> binds = new ArrayList<>();
    body.path("HostConfig").path("Binds").forEach(b -> binds.add(b.asText()));
    return new ContainerStorage(binds);
  }
}
