package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.filesystem.BuildContext;
import dev.berth.engine.build.BuildResources;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.image.registry.BasicCredentials;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /build}'s query parameters, read as dockerd 20.10 reads them
 * ({@code newImageBuildOptions}): {@code rm} defaults to true, {@code forcerm} implies it, the
 * numbers are zero when absent or malformed (except {@code shmsize}), JSON parameters name what
 * was wrong. What the classic builder cannot do ({@code remote}, {@code outputs},
 * {@code version=2}) is refused before the body is read.
 */
record BuildQuery(String dockerfile, List<String> tags, Map<String, String> buildArgs, Map<String, String> labels,
    Optional<String> target, boolean noCache, boolean pull, boolean remove, boolean forceRemove, boolean quiet,
    String networkMode, List<String> extraHosts, long shmSize, BuildResources resources, List<String> cacheFrom,
    Optional<String> platform, String isolation) {

  static BuildQuery parse(ApiRequest req) {
    String remote = req.query("remote").orElse("");
    if (!remote.isEmpty()) {
      throw new BerthException.InvalidArgument("remote build contexts (remote=" + remote + ") are not supported: "
          + "clone or download the context and send it as a tar in the request body (docker build DIR)");
    }
    String outputs = req.query("outputs").orElse("");
    if (!outputs.isEmpty() && !outputs.equals("[]") && !outputs.equals("null")) {
      throw new BerthException.InvalidArgument("build outputs (outputs=" + outputs + ") need BuildKit, which Berth "
          + "does not have: the classic builder stores the image in berthd; use docker save to get it out");
    }
    String version = req.query("version").orElse("");
    if (version.equals("2")) {
      throw new BerthException.InvalidArgument("BuildKit (version=2) is not supported: Berth has the classic "
          + "builder only; build with DOCKER_BUILDKIT=0 (or omit version)");
    } else if (!version.isEmpty() && !version.equals("1")) {
      throw new BerthException.InvalidArgument("invalid version " + version);
    }
    if (!req.queryAll("securityopt").isEmpty()) {
      throw new BerthException.InvalidArgument("The daemon on this platform does not support setting security "
          + "options on build");
    }
    String isolation = req.query("isolation").orElse("");
    if (!List.of("", "default", "process", "vm").contains(isolation)) {
      throw new BerthException.InvalidArgument("Unsupported isolation: \"" + isolation
          + "\" (Berth builds with \"default\", \"process\" or \"vm\")");
    }
    boolean forceRemove = req.queryFlag("forcerm");
    boolean remove = forceRemove || req.query("rm").map(String::isEmpty).orElse(true) || req.queryFlag("rm");
    List<ContainerConfig.Ulimit> ulimits = new ArrayList<>();
    for (Map<String, Object> u : json(req, "ulimits", new TypeReference<List<Map<String, Object>>>() {},
        "error reading ulimit settings", List.of())) {
      ulimits.add(new ContainerConfig.Ulimit(String.valueOf(u.getOrDefault("Name", "")), number(u.get("Soft")),
          number(u.get("Hard"))));
    }
    BuildResources resources = new BuildResources(int64(req, "memory"), int64(req, "memswap"),
        int64(req, "cpushares"), req.query("cpusetcpus").orElse(""), int64(req, "cpuperiod"),
        int64(req, "cpuquota"), ulimits);
    long shmSize = 0;
    String shm = req.query("shmsize").orElse("");
    if (!shm.isEmpty()) {
      try {
        shmSize = Long.parseLong(shm);
      } catch (NumberFormatException e) {
        throw new BerthException.InvalidArgument("invalid shmsize \"" + shm + "\": give a number of bytes");
      }
    }
    List<String> extraHosts = new ArrayList<>();
    for (String h : req.queryAll("extrahosts")) {
      for (String one : h.split(",")) {
        if (!one.isBlank()) {
          extraHosts.add(one.strip());
        }
      }
    }
    String dockerfile = req.query("dockerfile").orElse("").replaceFirst("^/+", "");
    return new BuildQuery(dockerfile.isEmpty() ? "Dockerfile" : dockerfile,
        req.queryAll("t").stream().filter(t -> !t.isEmpty()).toList(),
        json(req, "buildargs", new TypeReference<LinkedHashMap<String, String>>() {}, "error reading build args",
            new LinkedHashMap<>()),
        json(req, "labels", new TypeReference<LinkedHashMap<String, String>>() {}, "error reading labels",
            new LinkedHashMap<>()),
        req.query("target").filter(t -> !t.isEmpty()), req.queryFlag("nocache"), req.queryFlag("pull"), remove,
        forceRemove, req.queryFlag("q"), req.query("networkmode").orElse(""), extraHosts, shmSize, resources,
        json(req, "cachefrom", new TypeReference<List<String>>() {}, "error reading cache-from", List.of()),
        req.query("platform").filter(p -> !p.isEmpty()), isolation.equals("default") ? "" : isolation);
  }

  /** The engine's request for the received {@code context}. */
  BuildRequest request(BuildContext context, Function<String, Optional<BasicCredentials>> auth) {
    return new BuildRequest(context, dockerfile, tags, buildArgs, labels, target, noCache, pull, remove,
        forceRemove, networkMode, extraHosts, shmSize, resources, cacheFrom, platform, isolation, auth);
  }

  private static <T> T json(ApiRequest req, String name, TypeReference<T> type, String what, T absent) {
    String value = req.query(name).orElse("");
    if (value.isEmpty()) {
      return absent;
    }
    try {
      T parsed = Json.MAPPER.readValue(value, type);
      return parsed == null ? absent : parsed;
    } catch (JsonProcessingException e) {
      throw new BerthException.InvalidArgument(what + ": " + e.getOriginalMessage());
    }
  }

  /** Docker's {@code Int64ValueOrZero}: absent or not a number is 0. */
  private static long int64(ApiRequest req, String name) {
    try {
      return Long.parseLong(req.query(name).orElse("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long number(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    throw new BerthException.InvalidArgument("error reading ulimit settings: Soft and Hard must be numbers");
  }
}
