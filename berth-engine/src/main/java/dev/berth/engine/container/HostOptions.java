package dev.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * The HostConfig fields of Docker's create besides those {@link ContainerConfig} names itself:
 * namespaces shared with the host or another container, devices, memory tuning, sysctls and the
 * name-resolution files. Checked by {@link HostOptionsCheck}; turned into the spec by
 * {@link ContainerSpecs} and {@link SharedNamespaces}; /etc files by {@link EtcFileContents}.
 *
 * @param groupAdd --group-add: group names (looked up in the container's /etc/group) or numbers
 * @param pidMode "" (private), "host" or "container:NAME"
 * @param ipcMode "", "private", "shareable", "none", "host" or "container:NAME"
 * @param utsMode "" (private), "host" or "container:NAME"
 * @param cgroupnsMode "" or "host" (Docker's default on cgroup v1), "private"
 * @param devices --device, resolved at create (type, major, minor of the host's node)
 * @param deviceCgroupRules --device-cgroup-rule: "c 1:3 rwm", "b 8:* r", "a *:* rwm"
 * @param memoryReservation bytes, 0 = none (soft limit)
 * @param memorySwappiness 0..100, null = the kernel's default
 * @param shmSize bytes of /dev/shm, 0 = Docker's 64 MiB
 * @param sysctls namespaced kernel parameters (net.*, fs.mqueue.*, the IPC kernel.* ones)
 * @param dns name servers replacing the host's in resolv.conf
 * @param dnsSearch search domains replacing the host's
 * @param dnsOptions resolver options replacing the host's
 * @param extraHosts "name:ip" lines added to /etc/hosts ("host-gateway" = the default bridge's gateway)
 * @param oomScoreAdj 0..1000 (lowering it needs CAP_SYS_RESOURCE, which Berth never assumes)
 * @param annotations OCI annotations passed to the runtime
 * @param links legacy --link: other containers on the default bridge, by ID, with their alias
 * @param usernsMode "" or "private" (the daemon's remapping, if any), or "host" (--userns=host: none)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HostOptions(
    List<String> groupAdd,
    String pidMode,
    String ipcMode,
    String utsMode,
    String cgroupnsMode,
    List<DeviceMapping> devices,
    List<String> deviceCgroupRules,
    long memoryReservation,
    Long memorySwappiness,
    boolean oomKillDisable,
    long shmSize,
    Map<String, String> sysctls,
    List<String> dns,
    List<String> dnsSearch,
    List<String> dnsOptions,
    List<String> extraHosts,
    int oomScoreAdj,
    Map<String, String> annotations,
    List<Link> links,
    String usernsMode) {

  public static final HostOptions NONE = new HostOptions(null, null, null, null, null, null, null, 0, null, false, 0,
      null, null, null, null, null, 0, null, null);

  public HostOptions {
    groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
    pidMode = pidMode == null ? "" : pidMode;
    ipcMode = ipcMode == null ? "" : ipcMode;
    utsMode = utsMode == null ? "" : utsMode;
    cgroupnsMode = cgroupnsMode == null ? "" : cgroupnsMode;
    devices = devices == null ? List.of() : List.copyOf(devices);
    deviceCgroupRules = deviceCgroupRules == null ? List.of() : List.copyOf(deviceCgroupRules);
    sysctls = sysctls == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sysctls));
    dns = dns == null ? List.of() : List.copyOf(dns);
    dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
    dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
    extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.TreeMap<>(annotations));
    links = links == null ? List.of() : List.copyOf(links);
    usernsMode = usernsMode == null ? "" : usernsMode;
  }

  /** Without --userns. */
  public HostOptions(List<String> groupAdd, String pidMode, String ipcMode, String utsMode, String cgroupnsMode,
      List<DeviceMapping> devices, List<String> deviceCgroupRules, long memoryReservation, Long memorySwappiness,
      boolean oomKillDisable, long shmSize, Map<String, String> sysctls, List<String> dns, List<String> dnsSearch,
      List<String> dnsOptions, List<String> extraHosts, int oomScoreAdj, Map<String, String> annotations,
      List<Link> links) {
    this(groupAdd, pidMode, ipcMode, utsMode, cgroupnsMode, devices, deviceCgroupRules, memoryReservation,
        memorySwappiness, oomKillDisable, shmSize, sysctls, dns, dnsSearch, dnsOptions, extraHosts, oomScoreAdj,
        annotations, links, "");
  }

  /**
   * One legacy link: {@code container} as given at create (a name or ID; the ID once checked),
   * {@code name} the container's name then, {@code alias} the name the linking container knows it by.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Link(String container, String name, String alias) {
    /** Docker's --link NAME[:ALIAS]. */
    public static Link parse(String spec) {
      String s = spec.startsWith("/") ? spec.substring(1) : spec;
      int colon = s.indexOf(':');
      String name = colon < 0 ? s : s.substring(0, colon);
      String alias = colon < 0 ? name : s.substring(colon + 1);
      alias = alias.startsWith("/") ? alias.substring(alias.lastIndexOf('/') + 1) : alias;
      return new Link(name, name, alias);
    }
  }

  /**
   * One --device: the host's node and where it appears. {@code type} ("c" or "b"), {@code major},
   * {@code minor}, {@code fileMode}, {@code uid} and {@code gid} are the host node's, filled in at
   * create ({@link HostOptionsCheck}); null before.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DeviceMapping(String pathOnHost, String pathInContainer, String cgroupPermissions, String type,
      Long major, Long minor, Integer fileMode, Integer uid, Integer gid) {
    public DeviceMapping {
      pathInContainer = pathInContainer == null || pathInContainer.isEmpty() ? pathOnHost : pathInContainer;
      cgroupPermissions = cgroupPermissions == null || cgroupPermissions.isEmpty() ? "rwm" : cgroupPermissions;
    }

    public static DeviceMapping of(String pathOnHost, String pathInContainer, String cgroupPermissions) {
      return new DeviceMapping(pathOnHost, pathInContainer, cgroupPermissions, null, null, null, null, null, null);
    }
  }

  HostOptions withDevices(List<DeviceMapping> resolved) {
    return new HostOptions(groupAdd, pidMode, ipcMode, utsMode, cgroupnsMode, resolved, deviceCgroupRules,
        memoryReservation, memorySwappiness, oomKillDisable, shmSize, sysctls, dns, dnsSearch, dnsOptions, extraHosts,
        oomScoreAdj, annotations, links, usernsMode);
  }

  /** The soft memory limit an update set (create's field, so one place holds it). */
  HostOptions withMemoryReservation(long bytes) {
    return new HostOptions(groupAdd, pidMode, ipcMode, utsMode, cgroupnsMode, devices, deviceCgroupRules,
        bytes, memorySwappiness, oomKillDisable, shmSize, sysctls, dns, dnsSearch, dnsOptions, extraHosts,
        oomScoreAdj, annotations, links, usernsMode);
  }

  HostOptions withLinks(List<Link> resolved) {
    return new HostOptions(groupAdd, pidMode, ipcMode, utsMode, cgroupnsMode, devices, deviceCgroupRules,
        memoryReservation, memorySwappiness, oomKillDisable, shmSize, sysctls, dns, dnsSearch, dnsOptions, extraHosts,
        oomScoreAdj, annotations, resolved, usernsMode);
  }

  /** "container:NAME" → NAME; empty for the other modes. */
  static java.util.Optional<String> containerOf(String mode) {
    return mode.startsWith("container:") ? java.util.Optional.of(mode.substring("container:".length()))
        : java.util.Optional.empty();
  }
}
