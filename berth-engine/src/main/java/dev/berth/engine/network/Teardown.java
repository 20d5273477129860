package dev.berth.engine.network;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What an ended container still holds after its exit is recorded: CNI attachments (DEL frees
 * the lease and the veth) and its namespace. Freed in the background, off the path of
 * {@code run --rm}; {@code done} completes when all of it is gone (or was tried and logged).
 */
record Teardown(String containerId, Path netns, boolean netnsExists, List<Endpoint> endpoints,
    CompletableFuture<Void> done) {

  /**
   * One CNI attachment to delete; {@code recorded}: its ADD result is on the endpoint's row
   * ({@code added}, when the plugin gave one), to be cleared.
   */
  record Endpoint(Network network, String ifname, boolean recorded, CniResult added) {}

  boolean holds(String containerId, java.util.Collection<String> networkIds) {
    return this.containerId.equals(containerId)
        || endpoints.stream().anyMatch(e -> networkIds.contains(e.network().id()));
  }
}
