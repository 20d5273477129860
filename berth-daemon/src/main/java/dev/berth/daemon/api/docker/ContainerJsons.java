package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerState;
import dev.berth.engine.container.LogConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's container JSON shapes, in and out. Maps keep Docker's exact key names and order. */
final class ContainerJsons {
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private ContainerJsons() {}

  /** The body of POST /containers/create as an engine config; 400 when there is none. */
  static ContainerConfig fromCreateRequest(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new BerthException.InvalidArgument("config cannot be empty in order to create a container");
    }
    return fromCreate(body);
  }

  /** The body of POST /containers/create as an engine config. */
  static ContainerConfig fromCreate(JsonNode body) {
    RefusedCreateFields.check(body);
    JsonNode host = body.path("HostConfig");
    List<ContainerConfig.Ulimit> ulimits = new ArrayList<>();
    for (JsonNode u : host.path("Ulimits")) {
      ulimits.add(new ContainerConfig.Ulimit(u.path("Name").asText(), u.path("Soft").asLong(), u.path("Hard").asLong()));
    }
    long nanoCpus = host.path("NanoCpus").asLong(0);
    if (nanoCpus == 0 && host.path("CpuQuota").asLong(0) > 0) {
      long period = host.path("CpuPeriod").asLong(100_000);
      nanoCpus = host.path("CpuQuota").asLong() * 1_000_000_000L / (period == 0 ? 100_000 : period);
    }
    long pids = host.path("PidsLimit").isNull() ? 0 : host.path("PidsLimit").asLong(0);
    JsonNode stopTimeout = body.path("StopTimeout");
    return new ContainerConfig(
        body.path("Image").asText(""),
        stringsOrNull(body.get("Entrypoint")),
        stringsOrNull(body.get("Cmd")),
        strings(body.get("Env")),
        body.path("WorkingDir").asText(""),
        body.path("User").asText(""),
        body.path("Hostname").asText(""),
        body.path("Domainname").asText(""),
        labels(body.get("Labels")),
        body.path("Tty").asBoolean(false),
        body.path("OpenStdin").asBoolean(false),
        body.path("StdinOnce").asBoolean(false),
        body.path("StopSignal").asText(""),
        stopTimeout.isNumber() ? stopTimeout.asInt() : null,
        host.path("AutoRemove").asBoolean(false),
        host.path("Init").asBoolean(false),
        host.path("Privileged").asBoolean(false),
        strings(host.get("CapAdd")),
        strings(host.get("CapDrop")),
        host.path("ReadonlyRootfs").asBoolean(false),
        strings(host.get("SecurityOpt")),
        host.path("Memory").asLong(0),
        host.path("MemorySwap").asLong(0),
        nanoCpus,
        host.path("CpuShares").asLong(0),
        host.path("CpusetCpus").asText(""),
        pids,
        ulimits,
        body.path("NetworkDisabled").asBoolean(false) ? "none" : host.path("NetworkMode").asText(""),
        logConfig(host.path("LogConfig")),
        host.path("Runtime").asText("").isEmpty() ? null : host.path("Runtime").asText(),
        NetworkingJsons.fromCreate(body),
        StorageJsons.fromCreate(body),
        host.path("Isolation").asText(""),
        null,
        SupervisionJsons.restartPolicy(host.get("RestartPolicy")),
        HostJsons.fromCreate(host),
        SupervisionJsons.healthcheck(body.get("Healthcheck")));
  }

  /** HostConfig.LogConfig: the driver's name and its --log-opt map, checked as json-file checks them. */
  static LogConfig logConfig(JsonNode logConfig) {
    Map<String, String> options = new LinkedHashMap<>();
    logConfig.path("Config").properties().forEach(e -> options.put(e.getKey(), e.getValue().asText()));
    return LogConfig.parse(logConfig.path("Type").asText(""), options);
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    } else if (n != null && n.isTextual()) {
      out.add(n.asText());
    }
    return out;
  }

  /** null when absent (the image's default applies); a string is one element, as Docker accepts. */
  private static List<String> stringsOrNull(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText().isEmpty() ? List.of() : List.of(n.asText());
    }
    return strings(n);
  }

  private static Map<String, String> labels(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n != null && n.isObject()) {
      n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  static String time(Instant t) {
    return t == null || t.equals(Instant.EPOCH) ? ZERO_TIME
        : DateTimeFormatter.ISO_INSTANT.format(t.atOffset(ZoneOffset.UTC));
  }

  /** GET /containers/{id}/json. */
  static Map<String, Object> inspect(Container c, Map<String, Object> extra) {
    ContainerConfig cfg = c.config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", c.id());
    m.put("Created", time(c.created()));
    List<String> args = cfg.args();
    if (cfg.init()) {
      args = new ArrayList<>(List.of("/dev/init", "--"));
      args.addAll(cfg.args());
    }
    m.put("Path", args.isEmpty() ? "" : args.getFirst());
    m.put("Args", args.isEmpty() ? List.of() : args.subList(1, args.size()));
    m.put("State", state(c));
    m.put("Image", c.imageId());
    m.put("ResolvConfPath", extra.get("dir") + "/resolv.conf");
    m.put("HostnamePath", extra.get("dir") + "/hostname");
    m.put("HostsPath", extra.get("dir") + "/hosts");
    m.put("LogPath", extra.get("dir") + "/ctr.log");
    m.put("Name", "/" + c.name());
    m.put("RestartCount", c.restartCount());
    m.put("Driver", "overlay2");
    m.put("Platform", "linux");
    m.put("MountLabel", "");
    m.put("ProcessLabel", "");
    m.put("AppArmorProfile", "");
    m.put("ExecIDs", extra.get("execIds"));
    m.put("HostConfig", hostConfig(cfg, c.name()));
    Map<String, Object> overlay = new LinkedHashMap<>();
    overlay.put("LowerDir", extra.get("lowerDir"));
    overlay.put("MergedDir", extra.get("dir") + "/rootfs");
    overlay.put("UpperDir", extra.get("dir") + "/upper");
    overlay.put("WorkDir", extra.get("dir") + "/work");
    m.put("GraphDriver", Map.of("Name", "overlay2", "Data", overlay));
    m.put("Mounts", StorageJsons.mounts(cfg.storage()));
    m.put("Config", config(c, extra.get("exposedPorts") instanceof java.util.Collection<?> e ? e : List.of()));
    m.put("NetworkSettings", networkSettings(cfg));
    return m;
  }

  private static Map<String, Object> state(Container c) {
    Map<String, Object> s = new LinkedHashMap<>();
    ContainerState st = c.state();
    s.put("Status", st.status());
    s.put("Running", st instanceof ContainerState.Running || st instanceof ContainerState.Restarting);
    s.put("Paused", c.paused());
    s.put("Restarting", st instanceof ContainerState.Restarting);
    s.put("OOMKilled", st instanceof ContainerState.Exited e && e.oomKilled());
    s.put("Dead", false);
    s.put("Pid", st instanceof ContainerState.Running r ? r.pid() : 0);
    s.put("ExitCode", st instanceof ContainerState.Exited e ? e.exitCode()
        : st instanceof ContainerState.Restarting r ? r.exitCode() : 0);
    s.put("Error", st instanceof ContainerState.Exited e ? e.error() : "");
    s.put("StartedAt", time(switch (st) {
      case ContainerState.Running r -> r.startedAt();
      case ContainerState.Exited e -> e.startedAt();
      case ContainerState.Restarting r -> r.startedAt();
      default -> null;
    }));
    s.put("FinishedAt", time(st instanceof ContainerState.Exited e ? e.finishedAt()
        : st instanceof ContainerState.Restarting r ? r.finishedAt() : null));
    if (c.health() != null) {
      s.put("Health", SupervisionJsons.health(c.health()));
    }
    return s;
  }

  /** Inspect's HostConfig: every key dockerd 20.10 writes, in its order, zero values where unset. */
  private static Map<String, Object> hostConfig(ContainerConfig cfg, String name) {
    Map<String, Object> h = new LinkedHashMap<>();
    Map<String, Object> storage = new LinkedHashMap<>();
    StorageJsons.putHostConfig(storage, cfg.storage());
    Map<String, Object> host = new LinkedHashMap<>();
    HostJsons.putHostConfig(host, cfg.host());
    h.put("Binds", storage.get("Binds"));
    h.put("ContainerIDFile", "");
    Map<String, Object> logConfig = new LinkedHashMap<>();
    logConfig.put("Type", cfg.logConfig().driver());
    logConfig.put("Config", cfg.logConfig().options());
    h.put("LogConfig", logConfig);
    h.put("NetworkMode", cfg.networkMode());
    h.put("PortBindings", nullIfEmpty(NetworkingJsons.portBindings(cfg.networking())));
    h.put("RestartPolicy", SupervisionJsons.restartPolicy(cfg.restartPolicy()));
    h.put("AutoRemove", cfg.autoRemove());
    h.put("VolumeDriver", "");
    h.put("VolumesFrom", storage.get("VolumesFrom"));
    h.put("CapAdd", nullIfEmpty(cfg.capAdd()));
    h.put("CapDrop", nullIfEmpty(cfg.capDrop()));
    for (String k : List.of("CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "IpcMode")) {
      h.put(k, host.get(k));
    }
    h.put("Cgroup", "");
    h.put("Links", nullIfEmpty(HostJsons.links(name, cfg.host())));
    h.put("OomScoreAdj", host.get("OomScoreAdj"));
    h.put("PidMode", host.get("PidMode"));
    h.put("Privileged", cfg.privileged());
    h.put("PublishAllPorts", cfg.networking().publishAllPorts());
    h.put("ReadonlyRootfs", cfg.readonlyRootfs());
    h.put("SecurityOpt", nullIfEmpty(cfg.securityOpt()));
    if (storage.containsKey("Tmpfs")) {
      h.put("Tmpfs", storage.get("Tmpfs"));
    }
    h.put("UTSMode", host.get("UTSMode"));
    h.put("UsernsMode", cfg.host().usernsMode());
    h.put("ShmSize", host.get("ShmSize"));
    if (host.containsKey("Sysctls")) {
      h.put("Sysctls", host.get("Sysctls"));
    }
    h.put("Runtime", cfg.runtime() == null ? "runc" : cfg.runtime());
    h.put("ConsoleSize", List.of(0, 0));
    // Docker on Linux reports "" for its one (process) isolation; "vm" boots a microVM.
    h.put("Isolation", cfg.isolation().equals("process") ? "" : cfg.isolation());
    h.put("CpuShares", cfg.cpuShares());
    h.put("Memory", cfg.memory());
    h.put("NanoCpus", cfg.nanoCpus());
    h.put("CgroupParent", "");
    h.put("BlkioWeight", cfg.limits().blkioWeight());
    h.put("BlkioWeightDevice", null);
    h.put("BlkioDeviceReadBps", null);
    h.put("BlkioDeviceWriteBps", null);
    h.put("BlkioDeviceReadIOps", null);
    h.put("BlkioDeviceWriteIOps", null);
    h.put("CpuPeriod", cfg.limits().cpuPeriod());
    h.put("CpuQuota", cfg.limits().cpuQuota());
    h.put("CpuRealtimePeriod", 0);
    h.put("CpuRealtimeRuntime", 0);
    h.put("CpusetCpus", cfg.cpusetCpus() == null ? "" : cfg.cpusetCpus());
    h.put("CpusetMems", cfg.limits().cpusetMems());
    h.put("Devices", host.get("Devices"));
    h.put("DeviceCgroupRules", host.get("DeviceCgroupRules"));
    h.put("DeviceRequests", null);
    h.put("KernelMemory", 0);
    h.put("KernelMemoryTCP", 0);
    h.put("MemoryReservation", host.get("MemoryReservation"));
    h.put("MemorySwap", cfg.memorySwap());
    h.put("MemorySwappiness", host.get("MemorySwappiness"));
    h.put("OomKillDisable", host.get("OomKillDisable"));
    h.put("PidsLimit", cfg.pidsLimit() > 0 ? cfg.pidsLimit() : null);
    List<Map<String, Object>> ulimits = new ArrayList<>();
    for (ContainerConfig.Ulimit u : cfg.ulimits()) {
      ulimits.add(Map.of("Name", u.name(), "Soft", u.soft(), "Hard", u.hard()));
    }
    h.put("Ulimits", nullIfEmpty(ulimits));
    h.put("CpuCount", 0);
    h.put("CpuPercent", 0);
    h.put("IOMaximumIOps", 0);
    h.put("IOMaximumBandwidth", 0);
    if (storage.containsKey("Mounts")) {
      h.put("Mounts", storage.get("Mounts"));
    }
    h.put("MaskedPaths", cfg.privileged() ? List.of() : dev.berth.engine.runtime.SpecDefaults.MASKED_PATHS);
    h.put("ReadonlyPaths", cfg.privileged() ? List.of() : dev.berth.engine.runtime.SpecDefaults.READONLY_PATHS);
    if (host.containsKey("Annotations")) {
      h.put("Annotations", host.get("Annotations"));
    }
    if (cfg.init()) {
      h.put("Init", true); // dockerd leaves Init out unless it was asked for
    }
    return h;
  }

  /** dockerd shows a list or map the create did not give as null. */
  private static Object nullIfEmpty(java.util.Collection<?> c) {
    return c.isEmpty() ? null : c;
  }

  private static Object nullIfEmpty(Map<?, ?> m) {
    return m.isEmpty() ? null : m;
  }

  private static Map<String, Object> config(Container c, java.util.Collection<?> exposedPorts) {
    ContainerConfig cfg = c.config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Hostname", cfg.hostname());
    m.put("Domainname", cfg.domainname());
    m.put("User", cfg.user());
    m.put("AttachStdin", cfg.openStdin());
    m.put("AttachStdout", true);
    m.put("AttachStderr", true);
    if (!exposedPorts.isEmpty()) { // the create's and the image's, as dockerd merges them
      Map<String, Object> ports = new java.util.TreeMap<>();
      exposedPorts.forEach(p -> ports.put(p.toString(), Map.of()));
      m.put("ExposedPorts", ports);
    }
    m.put("Tty", cfg.tty());
    m.put("OpenStdin", cfg.openStdin());
    m.put("StdinOnce", cfg.stdinOnce());
    m.put("Env", cfg.env());
    m.put("Cmd", cfg.cmd() == null || cfg.cmd().isEmpty() ? null : cfg.cmd());
    m.put("Image", c.imageRef());
    m.put("Volumes", StorageJsons.configVolumes(cfg.storage()));
    m.put("WorkingDir", cfg.workingDir());
    m.put("Entrypoint", cfg.entrypoint() == null || cfg.entrypoint().isEmpty() ? null : cfg.entrypoint());
    m.put("OnBuild", null);
    m.put("Labels", cfg.labels());
    if (cfg.healthcheck() != null) {
      m.put("Healthcheck", SupervisionJsons.healthcheck(cfg.healthcheck()));
    }
    if (!cfg.stopSignal().equals("SIGTERM")) {
      m.put("StopSignal", cfg.stopSignal()); // dockerd leaves the default out
    }
    if (cfg.stopTimeout() != null) {
      m.put("StopTimeout", cfg.stopTimeout());
    }
    return m;
  }

  private static Map<String, Object> networkSettings(ContainerConfig cfg) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("Bridge", "");
    n.put("SandboxID", "");
    n.put("SandboxKey", "");
    n.put("Ports", Map.of());
    n.put("Gateway", "");
    n.put("IPAddress", "");
    n.put("IPPrefixLen", 0);
    n.put("MacAddress", "");
    Map<String, Object> net = new LinkedHashMap<>();
    net.put("NetworkID", "");
    net.put("EndpointID", "");
    net.put("Gateway", "");
    net.put("IPAddress", "");
    net.put("IPPrefixLen", 0);
    net.put("MacAddress", "");
    n.put("Networks", Map.of(cfg.networkMode(), net));
    return n;
  }

  /** One entry of GET /containers/json. */
  static Map<String, Object> summary(Container c, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", c.id());
    m.put("Names", List.of("/" + c.name()));
    m.put("Image", c.imageRef());
    m.put("ImageID", c.imageId());
    List<String> args = c.config().args();
    m.put("Command", String.join(" ", c.config().init() ? prepend("/dev/init --", args) : args));
    m.put("Created", c.created().getEpochSecond());
    m.put("Ports", List.of());
    m.put("Labels", c.config().labels());
    m.put("State", c.state().status());
    m.put("Status", status(c, now));
    m.put("HostConfig", Map.of("NetworkMode", c.config().networkMode()));
    m.put("NetworkSettings", Map.of("Networks", Map.of()));
    m.put("Mounts", StorageJsons.mounts(c.config().storage()));
    return m;
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> out = new ArrayList<>(List.of(first));
    out.addAll(rest);
    return out;
  }

  /** Docker's human status: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
  static String status(Container c, Instant now) {
    return switch (c.state()) {
      case ContainerState.Running r -> "Up " + human(Duration.between(r.startedAt(), now))
          + (r.paused() ? " (Paused)" : SupervisionJsons.healthSuffix(c.health()));
      case ContainerState.Exited e -> "Exited (" + e.exitCode() + ") " + human(Duration.between(e.finishedAt(), now))
          + " ago";
      case ContainerState.Restarting r -> "Restarting (" + r.exitCode() + ") "
          + human(Duration.between(r.finishedAt(), now)) + " ago";
      case ContainerState.Removing r -> "Removal In Progress";
      case ContainerState.Created cr -> "Created";
    };
  }

  /** Docker's go-units HumanDuration. */
  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 1) {
      return "Less than a second";
    } else if (s == 1) {
      return "1 second";
    } else if (s < 60) {
      return s + " seconds";
    }
    long m = s / 60;
    if (m == 1) {
      return "About a minute";
    } else if (m < 60) {
      return m + " minutes";
    }
    long h = Math.round(s / 3600.0);
    if (h == 1) {
      return "About an hour";
    } else if (h < 48) {
      return h + " hours";
    } else if (h < 24 * 7 * 2) {
      return h / 24 + " days";
    } else if (h < 24 * 30 * 2) {
      return h / 24 / 7 + " weeks";
    } else if (h < 24 * 365 * 2) {
      return h / 24 / 30 + " months";
    }
    return h / 24 / 365 + " years";
  }
}
