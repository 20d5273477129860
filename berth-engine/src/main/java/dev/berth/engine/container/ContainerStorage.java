package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A container's mounts besides its rootfs: volumes, bind mounts, tmpfs.
 *
 * @param binds Docker's -v strings as given ("name:/path:ro", "/host:/path")
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerStorage(List<String> binds) {
  public static final ContainerStorage NONE = new ContainerStorage(List.of());

  public ContainerStorage {
    binds = binds == null ? List.of() : List.copyOf(binds);
  }
}
