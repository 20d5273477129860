package dev.berth.engine.runtime.spec;

import java.util.List;

/** One mount in the container's mount namespace. */
public record Mount(String destination, String type, String source, List<String> options) {
  public Mount {
    options = options == null ? null : List.copyOf(options);
  }
}
