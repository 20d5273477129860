package dev.berth.engine.container;

import java.time.Instant;

/**
 * One container as the engine knows it.
 *
 * @param name without Docker's leading slash
 * @param imageRef the image as the user named it
 * @param health State.Health, null when the container has no healthcheck
 */
public record Container(String id, String name, String imageId, String imageRef, Instant created,
    ContainerConfig config, ContainerState state, int restartCount, Health health) {

  public String shortId() {
    return id.substring(0, 12);
  }

  public boolean running() {
    return state instanceof ContainerState.Running;
  }

  /** Running with its cgroup frozen ({@code docker pause}). */
  public boolean paused() {
    return state instanceof ContainerState.Running r && r.paused();
  }

  Container withState(ContainerState state) {
    return new Container(id, name, imageId, imageRef, created, config, state, restartCount, health);
  }
}
