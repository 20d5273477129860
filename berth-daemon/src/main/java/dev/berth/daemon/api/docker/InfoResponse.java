package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /info}: Docker's SystemInfo shape, with the fields the docker CLI and docker-java
 * read. Values Berth does not have yet are reported as Docker reports their absence.
 */
public record InfoResponse(
    @JsonProperty("ID") String id,
    int containers,
    int containersRunning,
    int containersPaused,
    int containersStopped,
    int images,
    String driver,
    List<List<String>> driverStatus,
    String dockerRootDir,
    Plugins plugins,
    boolean memoryLimit,
    boolean swapLimit,
    boolean cpuCfsPeriod,
    boolean cpuCfsQuota,
    @JsonProperty("CPUShares") boolean cpuShares,
    @JsonProperty("CPUSet") boolean cpuSet,
    boolean pidsLimit,
    boolean oomKillDisable,
    @JsonProperty("IPv4Forwarding") boolean ipv4Forwarding,
    boolean debug,
    @JsonProperty("NFd") int nFd,
    @JsonProperty("NGoroutines") int nGoroutines,
    String systemTime,
    String loggingDriver,
    String cgroupDriver,
    String cgroupVersion,
    @JsonProperty("NEventsListener") int nEventsListener,
    String kernelVersion,
    String operatingSystem,
    @JsonProperty("OSVersion") String osVersion,
    @JsonProperty("OSType") String osType,
    String architecture,
    @JsonProperty("NCPU") int ncpu,
    long memTotal,
    String indexServerAddress,
    RegistryConfig registryConfig,
    String name,
    List<String> labels,
    boolean experimentalBuild,
    String serverVersion,
    Map<String, Runtime> runtimes,
    String defaultRuntime,
    Swarm swarm,
    boolean liveRestoreEnabled,
    String isolation,
    List<String> securityOptions,
    List<String> warnings) {

  public record Plugins(List<String> volume, List<String> network, List<String> log) {}

  public record RegistryConfig(
      @JsonProperty("InsecureRegistryCIDRs") List<String> insecureRegistryCidrs,
      Map<String, Object> indexConfigs,
      List<String> mirrors) {}

  /** One registry in {@code IndexConfigs}, as dockerd shows docker.io and its mirrors there. */
  public record IndexInfo(String name, List<String> mirrors, boolean secure, boolean official) {}

  /** dockerd writes this one key in lower case. */
  public record Runtime(@JsonProperty("path") String path) {}

  public record Swarm(
      @JsonProperty("NodeID") String nodeId,
      String nodeAddr,
      String localNodeState,
      boolean controlAvailable,
      String error) {}
}
