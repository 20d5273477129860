package dev.berth.engine.build;

import dev.berth.engine.container.ContainerService;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds images from Dockerfiles the way Docker's classic builder does: each RUN a container
 * whose changes become a layer, COPY/ADD layers written from the context, config-only
 * instructions changing only the config; with a cache of steps kept in the state database.
 */
public final class BuildService {
  private final ContainerService containers;
  private final ImageService images;
  private final Function<Function<String, Optional<BasicCredentials>>, RegistryClient> registries;
  private final Path scratch;

  public BuildService(ContainerService containers, ImageService images,
      Function<Function<String, Optional<BasicCredentials>>, RegistryClient> registries, Path scratch) {
    this.containers = containers;
    this.images = images;
    this.registries = registries;
    this.scratch = scratch;
  }

  /**
   * Runs the build, reporting Docker's lines to {@code events}; returns the image ID
   * ({@code sha256:…}). Throws {@link BuildException} (Docker's error text) when a step fails,
   * {@link dev.berth.engine.BerthException.InvalidArgument} for a request that cannot be built.
   */
  public String build(BuildRequest request, Consumer<BuildEvent> events, BuildCancel cancel) {
    throw new BuildException("the builder is not implemented yet");
  }

  /** The build cache, for {@code system df}. */
  public BuildCacheUsage usage() {
    return new BuildCacheUsage(java.util.List.of());
  }

  /**
   * Removes cache entries: with {@code all} every one not in use, else those not shared with a
   * tagged image; {@code keepDuration} above zero keeps the ones used within that time.
   */
  public BuildPruneResult prune(boolean all, Duration keepDuration) {
    return new BuildPruneResult(java.util.List.of(), 0);
  }
}
