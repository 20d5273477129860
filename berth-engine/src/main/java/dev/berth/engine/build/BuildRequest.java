package dev.berth.engine.build;

import dev.berth.engine.filesystem.BuildContext;
import dev.berth.engine.image.registry.BasicCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One {@code docker build}: what the API side hands the engine.
 *
 * @param context the build context (a directory, or a spooled tar extracted on demand); owned by the caller
 * @param dockerfile the Dockerfile's path inside the context; blank = "Dockerfile"
 * @param tags references to tag the result with, applied at the end
 * @param buildArgs {@code --build-arg}s; a null value means "take it from the environment" (none here: unset)
 * @param labels applied to the final image
 * @param target the stage to stop at; empty = the last stage
 * @param removeIntermediate {@code rm}: remove a RUN's container after a successful step (default true)
 * @param forceRemove {@code forcerm}: remove it after a failed step too
 * @param networkMode "default", "bridge", "none", "host" or a network's name
 * @param extraHosts {@code host:ip} entries for the RUN containers' /etc/hosts
 * @param shmSize bytes of /dev/shm for RUN containers; 0 = Docker's default
 * @param cacheFrom images whose history may serve as cache
 * @param platform only the host's platform is built; another one is refused
 * @param isolation "" or "process" (runc) or "vm" (RUN steps in microVMs)
 * @param authForRegistry credentials for FROM pulls, by registry host
 */
public record BuildRequest(
    BuildContext context,
    String dockerfile,
    List<String> tags,
    Map<String, String> buildArgs,
    Map<String, String> labels,
    Optional<String> target,
    boolean noCache,
    boolean pull,
    boolean removeIntermediate,
    boolean forceRemove,
    String networkMode,
    List<String> extraHosts,
    long shmSize,
    BuildResources resources,
    List<String> cacheFrom,
    Optional<String> platform,
    String isolation,
    Function<String, Optional<BasicCredentials>> authForRegistry) {

  public BuildRequest {
    dockerfile = dockerfile == null || dockerfile.isBlank() ? "Dockerfile" : dockerfile;
    tags = tags == null ? List.of() : List.copyOf(tags);
    buildArgs = buildArgs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(buildArgs));
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    target = target == null ? Optional.empty() : target.filter(t -> !t.isBlank());
    networkMode = networkMode == null || networkMode.isBlank() ? "default" : networkMode;
    extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    resources = resources == null ? BuildResources.NONE : resources;
    cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
    platform = platform == null ? Optional.empty() : platform.filter(p -> !p.isBlank());
    isolation = isolation == null ? "" : isolation;
    authForRegistry = authForRegistry == null ? host -> Optional.empty() : authForRegistry;
  }

  /** A request with Docker's defaults for everything but the context (tests, {@code berth build} defaults). */
  public static BuildRequest of(Path contextDir) {
    return new BuildRequest(BuildContext.of(contextDir), "Dockerfile", List.of(), Map.of(), Map.of(), Optional.empty(), false, false,
        true, false, "default", List.of(), 0, BuildResources.NONE, List.of(), Optional.empty(), "", null);
  }

  public BuildRequest withTags(List<String> t) {
    return new BuildRequest(context, dockerfile, t, buildArgs, labels, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation, authForRegistry);
  }

  public BuildRequest withBuildArgs(Map<String, String> a) {
    return new BuildRequest(context, dockerfile, tags, a, labels, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation, authForRegistry);
  }

  public BuildRequest withTarget(String t) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, Optional.ofNullable(t), noCache, pull,
        removeIntermediate, forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation,
        authForRegistry);
  }

  public BuildRequest withNoCache(boolean n) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, target, n, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation, authForRegistry);
  }

  public BuildRequest withLabels(Map<String, String> l) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, l, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation, authForRegistry);
  }

  public BuildRequest withCacheFrom(List<String> c) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, c, platform, isolation, authForRegistry);
  }

  public BuildRequest withIsolation(String i) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, i, authForRegistry);
  }

  /** {@code --add-host} entries and {@code --shm-size} for the RUN containers. */
  public BuildRequest withHostSettings(List<String> hosts, long shm) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, target, noCache, pull, removeIntermediate,
        forceRemove, networkMode, hosts, shm, resources, cacheFrom, platform, isolation, authForRegistry);
  }
}
