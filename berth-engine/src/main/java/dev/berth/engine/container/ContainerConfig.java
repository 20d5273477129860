package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * What a container was created with: the caller's options merged with the image's defaults at
 * create (as Docker stores them), so inspect shows the effective values. Stored as JSON.
 *
 * @param cmd the command after the entrypoint; empty when there is none
 * @param memory bytes, 0 = unlimited
 * @param memorySwap memory+swap bytes, 0 = default, -1 = unlimited
 * @param nanoCpus CPUs in 1e-9 units (--cpus 1.5 = 1_500_000_000), 0 = unlimited
 * @param pidsLimit 0 or less = unlimited
 * @param networkMode "bridge" (the default), a network's name or ID, "none" (loopback only), "host" or "container:<id>"
 * @param runtime the OCI runtime's name (runc, crun); null = the daemon's default, set at create
 * @param networking ports, aliases and the other network options besides the mode
 * @param storage volumes, bind mounts and tmpfs mounts
 * @param logConfig the --log-opts (json-file's max-size and max-file)
 * @param isolation "process" (an OCI runtime) or "vm" (the image booted in a microVM)
 * @param limits the cgroup limits {@code update} sets besides the ones above
 * @param restartPolicy what berthd does when the process ends (run by {@link RestartSupervisor}; {@code update} changes it)
 * @param host the other HostConfig fields (namespaces, devices, sysctls, DNS…); see {@link HostOptions}
 * @param healthcheck the check berthd runs ({@link HealthMonitor}), merged with the image's; null = none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerConfig(
    String image,
    List<String> entrypoint,
    List<String> cmd,
    List<String> env,
    String workingDir,
    String user,
    String hostname,
    String domainname,
    Map<String, String> labels,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    String stopSignal,
    Integer stopTimeout,
    boolean autoRemove,
    boolean init,
    boolean privileged,
    List<String> capAdd,
    List<String> capDrop,
    boolean readonlyRootfs,
    List<String> securityOpt,
    long memory,
    long memorySwap,
    long nanoCpus,
    long cpuShares,
    String cpusetCpus,
    long pidsLimit,
    List<Ulimit> ulimits,
    String networkMode,
    LogConfig logConfig,
    String runtime,
    ContainerNetworking networking,
    ContainerStorage storage,
    String isolation,
    ResourceLimits limits,
    RestartPolicy restartPolicy,
    HostOptions host,
    Healthcheck healthcheck) {

  public ContainerConfig {
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    cmd = cmd == null ? null : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
    capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
    securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    networkMode = networkMode == null || networkMode.isBlank() || networkMode.equals("default") ? "bridge" : networkMode;
    workingDir = workingDir == null ? "" : workingDir;
    user = user == null ? "" : user;
    hostname = hostname == null ? "" : hostname;
    domainname = domainname == null ? "" : domainname;
    networking = networking == null ? ContainerNetworking.NONE : networking;
    storage = storage == null ? ContainerStorage.NONE : storage;
    logConfig = logConfig == null ? LogConfig.DEFAULT : logConfig;
    isolation = isolation == null || isolation.isBlank() || isolation.equals("default") ? "process" : isolation;
    limits = limits == null ? ResourceLimits.NONE : limits;
    restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
    host = host == null ? HostOptions.NONE : host;
  }

  /** The config as it was before limits, restart policies, {@link HostOptions} and healthchecks (their defaults). */
  public ContainerConfig(String image, List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
      String user, String hostname, String domainname, Map<String, String> labels, boolean tty, boolean openStdin,
      boolean stdinOnce, String stopSignal, Integer stopTimeout, boolean autoRemove, boolean init, boolean privileged,
      List<String> capAdd, List<String> capDrop, boolean readonlyRootfs, List<String> securityOpt, long memory,
      long memorySwap, long nanoCpus, long cpuShares, String cpusetCpus, long pidsLimit, List<Ulimit> ulimits,
      String networkMode, LogConfig logConfig, String runtime, ContainerNetworking networking,
      ContainerStorage storage, String isolation) {
    this(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty, openStdin, stdinOnce,
        stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs, securityOpt, memory,
        memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode, logConfig, runtime, networking,
        storage, isolation, null, null, null, null);
  }

  /** The config with the resources and restart policy an update left (see {@link ContainerUpdater}). */
  ContainerConfig withUpdate(long memory, long memorySwap, long nanoCpus, long cpuShares, String cpusetCpus,
      long pidsLimit, ResourceLimits limits, RestartPolicy restartPolicy) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  /** A config with only the image set (tests, defaults). */
  public static ContainerConfig ofImage(String image, List<String> cmd) {
    return new ContainerConfig(image, null, cmd, null, null, null, null, null, null, false, false, false, null, null,
        false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null, null, null, null, null, null, null);
  }

  /** One rlimit as Docker names it ("nofile", soft, hard). */
  public record Ulimit(String name, long soft, long hard) {}

  /** The process the container runs: entrypoint then cmd. */
  public List<String> args() {
    List<String> all = new java.util.ArrayList<>(entrypoint == null ? List.of() : entrypoint);
    all.addAll(cmd == null ? List.of() : cmd);
    return all;
  }

  ContainerConfig withMerged(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
      String user, Map<String, String> labels, String stopSignal, Integer stopTimeout) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  ContainerConfig withRuntime(String runtime) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  ContainerConfig withHostname(String hostname) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  ContainerConfig withStorage(ContainerStorage storage) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  ContainerConfig withHost(HostOptions host) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }

  ContainerConfig withHealthcheck(Healthcheck healthcheck) {
    return new ContainerConfig(image, entrypoint, cmd, env, workingDir, user, hostname, domainname, labels, tty,
        openStdin, stdinOnce, stopSignal, stopTimeout, autoRemove, init, privileged, capAdd, capDrop, readonlyRootfs,
        securityOpt, memory, memorySwap, nanoCpus, cpuShares, cpusetCpus, pidsLimit, ulimits, networkMode,
        logConfig, runtime, networking, storage, isolation, limits, restartPolicy, host, healthcheck);
  }
}
