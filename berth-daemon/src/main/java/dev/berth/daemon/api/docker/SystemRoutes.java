package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.image.registry.RegistryClient;
import dev.berth.engine.image.registry.RegistryMirrors;
import dev.berth.engine.system.HostFacts;
import dev.berth.engine.system.SystemInfo;
import dev.berth.engine.system.SystemService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /_ping}, {@code /version}, {@code /info}: what a client asks before anything else. */
public final class SystemRoutes {
  /**
   * dockerd's shape: docker.io's mirrors in {@code Mirrors} and, with every other registry's, in
   * {@code IndexConfigs[registry].Mirrors} (Berth's per-registry mirrors appear there), written
   * as dockerd writes them ({@code https://mirror.example/}).
   */
  static InfoResponse.RegistryConfig registryConfig(RegistryMirrors table) {
    Map<String, Object> indexes = new java.util.TreeMap<>();
    indexes.put(RegistryMirrors.DOCKER_HUB,
        new InfoResponse.IndexInfo(RegistryMirrors.DOCKER_HUB, List.of(), true, true));
    table.byRegistry().forEach((registry, mirrors) -> indexes.put(registry, new InfoResponse.IndexInfo(registry,
        mirrors.stream().map(RegistryMirrors::display).toList(),
        !RegistryClient.usesPlainHttp(registry, java.util.Set.of()), registry.equals(RegistryMirrors.DOCKER_HUB))));
    List<String> hubMirrors = table.of(RegistryMirrors.DOCKER_HUB).stream().map(RegistryMirrors::display).toList();
    return new InfoResponse.RegistryConfig(List.of("127.0.0.0/8", "::1/128"), indexes, hubMirrors);
  }

  private final SystemService system;
  private final String buildTime = BerthVersion.buildTime();
  private final Supplier<String> hypervisor;
  private final Supplier<String> microVm;

  /** {@code hypervisor} describes the VM backend for info's labels, e.g. "QEMU 7.2.0 (tcg)". */
  public SystemRoutes(SystemService system, Supplier<String> hypervisor) {
    this(system, hypervisor, () -> "none");
  }

  /** {@code microVm} describes what --isolation=vm containers boot (guest kernel, accelerator). */
  public SystemRoutes(SystemService system, Supplier<String> hypervisor, Supplier<String> microVm) {
    this.system = system;
    this.hypervisor = hypervisor;
    this.microVm = microVm;
  }

  public void register(Router router) {
    router.get("/_ping", this::ping);
    router.head("/_ping", this::ping);
    router.get("/version", this::version);
    router.get("/info", this::info);
  }

  /**
   * As dockerd: HEAD has no body and says Content-Length 0. Builder-Version 1 is the classic
   * builder (the only one Berth has), so clients do not try BuildKit's session protocol.
   */
  private void ping(ApiRequest req, ApiResponse res) throws IOException {
    res.header("Cache-Control", "no-cache, no-store, must-revalidate")
        .header("Pragma", "no-cache")
        // the classic builder: what dockerd sends with the buildkit feature off. The docker CLI
        // then builds through POST /build instead of looking for BuildKit (buildx).
        .header("Builder-Version", "1")
        .text(200, "text/plain; charset=utf-8", req.method().equals("HEAD") ? "" : "OK");
  }

  private void version(ApiRequest req, ApiResponse res) throws IOException {
    HostFacts host = system.host();
    String javaVersion = "java" + Runtime.version().feature() + " (" + Runtime.version() + ")";
    Map<String, String> details = Map.of(
        "ApiVersion", BerthVersion.API_VERSION,
        "MinAPIVersion", BerthVersion.MIN_API_VERSION,
        "Arch", host.goArch(),
        "Os", "linux",
        "KernelVersion", host.kernelVersion(),
        "GitCommit", "",
        "GoVersion", javaVersion,
        "BuildTime", buildTime,
        "Experimental", "false");
    res.json(200, new VersionResponse(
        new VersionResponse.Platform("Berth Engine"),
        List.of(new VersionResponse.Component("Engine", BerthVersion.DOCKER_COMPATIBLE_VERSION, details),
            new VersionResponse.Component("Berth", BerthVersion.version(), Map.of())),
        BerthVersion.DOCKER_COMPATIBLE_VERSION,
        BerthVersion.API_VERSION,
        BerthVersion.MIN_API_VERSION,
        "",
        javaVersion,
        "linux",
        host.goArch(),
        host.kernelVersion(),
        buildTime));
  }

  private void info(ApiRequest req, ApiResponse res) throws IOException {
    SystemInfo info = system.info();
    HostFacts host = info.host();
    boolean v2 = host.cgroupLayout().dockerVersion().equals("2");
    res.json(200, new InfoResponse(
        info.id(),
        info.counts().containers(),
        info.counts().running(),
        info.counts().paused(),
        info.counts().stopped(),
        info.counts().images(),
        "overlay2",
        List.of(List.of("Backing Filesystem", "extfs")),
        info.dataRoot().toString(),
        new InfoResponse.Plugins(List.of("local"), List.of("bridge", "host", "none"), List.of("json-file")),
        true, true, true, true, true, true, true, !v2,
        ipv4Forwarding(),
        false,
        openFileDescriptors(),
        Thread.activeCount(),
        OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        "json-file",
        "cgroupfs",
        host.cgroupLayout().dockerVersion(),
        0,
        host.kernelVersion(),
        host.operatingSystem(),
        host.osVersion(),
        "linux",
        host.architecture(),
        host.cpus(),
        host.memTotalBytes(),
        "https://index.docker.io/v1/",
        registryConfig(system.registryMirrors()),
        host.hostname(),
        List.of("berth.cgroup-layout=" + host.cgroupLayout().name().toLowerCase(),
            "berth.exec-root=" + info.execRoot(),
            "berth.schema-version=" + info.schemaVersion(),
            "berth.hypervisor=" + hypervisor.get(),
            "berth.microvm=" + microVm.get(),
            "berth.version=" + info.serverVersion()),
        false,
        BerthVersion.DOCKER_COMPATIBLE_VERSION,
        runtimes(),
        system.defaultRuntime().orElse(""),
        new InfoResponse.Swarm("", "", "inactive", false, ""),
        false,
        "",
        system.usernsRemap() ? List.of("name=userns") : List.of(),
        null)); // dockerd's null when there are no warnings
  }

  /** The runtimes that passed the start-up probe (see the daemon log for those skipped and why). */
  private Map<String, InfoResponse.Runtime> runtimes() {
    Map<String, InfoResponse.Runtime> out = new java.util.LinkedHashMap<>();
    for (var r : system.runtimes()) {
      if (r.usable()) {
        out.put(r.name(), new InfoResponse.Runtime(r.path().toString()));
      }
    }
    return out;
  }

  private static boolean ipv4Forwarding() {
    try {
      return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip().equals("1");
    } catch (IOException e) {
      return false;
    }
  }

  private static int openFileDescriptors() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      return 0;
    }
  }
}
