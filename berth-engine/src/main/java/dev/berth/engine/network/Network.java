package dev.berth.engine.network;

import java.time.Instant;

/** A network: the default {@code bridge} or one created by a user. */
public record Network(String id, String name, Instant created, NetworkConfig config) {
  public static final String DEFAULT = "bridge";

  public String shortId() {
    return id.substring(0, 12);
  }

  public boolean isDefault() {
    return name.equals(DEFAULT);
  }
}
