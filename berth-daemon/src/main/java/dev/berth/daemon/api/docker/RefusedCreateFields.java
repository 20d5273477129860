package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import java.util.List;

/**
 * The fields of Docker's create body that Berth does not honour: any of them set to something
 * other than its zero value is a 400 naming it and saying why, never silently dropped. Fields
 * that are neither honoured nor listed here are output-only (NetworkSettings' addresses) or
 * client-side (ContainerIDFile), as for dockerd. docs/compatibility.md lists both.
 */
final class RefusedCreateFields {
  private RefusedCreateFields() {}

  /** A refused field and why. */
  record Refusal(String field, String reason) {}

  private static final String BLKIO = "block I/O limits are not supported by Berth yet";
  private static final String WINDOWS = "it is a Windows-only option";

  static final List<Refusal> CONFIG = List.of(
      new Refusal("MacAddress", "Berth's CNI bridge plugin (containernetworking-plugins 1.1) cannot set a MAC address"),
      new Refusal("OnBuild", "ONBUILD triggers belong to image builds"),
      new Refusal("Shell", "SHELL belongs to image builds"));

  static final List<Refusal> HOST_CONFIG = List.of(
      new Refusal("CgroupParent", "Berth puts every container's cgroup under /berth/<id>"),
      new Refusal("BlkioWeight", BLKIO),
      new Refusal("BlkioWeightDevice", BLKIO),
      new Refusal("BlkioDeviceReadBps", BLKIO),
      new Refusal("BlkioDeviceWriteBps", BLKIO),
      new Refusal("BlkioDeviceReadIOps", BLKIO),
      new Refusal("BlkioDeviceWriteIOps", BLKIO),
      new Refusal("CpuRealtimePeriod", "real-time CPU scheduling is not supported by Berth"),
      new Refusal("CpuRealtimeRuntime", "real-time CPU scheduling is not supported by Berth"),
      new Refusal("CpusetMems", "memory node pinning is not supported by Berth yet"),
      new Refusal("DeviceRequests", "GPU and other device requests need a device driver Berth does not have"),
      new Refusal("KernelMemory", "kernel memory limits are deprecated in Docker and not supported by Berth"),
      new Refusal("KernelMemoryTCP", "kernel memory limits are deprecated in Docker and not supported by Berth"),
      new Refusal("CpuCount", WINDOWS),
      new Refusal("CpuPercent", WINDOWS),
      new Refusal("IOMaximumIOps", WINDOWS),
      new Refusal("IOMaximumBandwidth", WINDOWS),
      new Refusal("Cgroup", "joining another container's cgroup is not supported by Berth"),
      new Refusal("MaskedPaths", "Berth masks Docker's default paths; use --privileged to mask none"),
      new Refusal("ReadonlyPaths", "Berth makes Docker's default paths read-only; use --privileged for none"));

  static final List<Refusal> ENDPOINT = List.of(
      new Refusal("MacAddress", "Berth's CNI bridge plugin (containernetworking-plugins 1.1) cannot set a MAC address"),
      new Refusal("Links", "legacy links are not supported by Berth yet: containers on a user-defined network find"
          + " each other by name"),
      new Refusal("DriverOpts", "Berth's bridge driver takes no endpoint options"),
      new Refusal("GwPriority", "Berth routes through the first network only"));

  /** 400 naming the first field set that Berth does not honour. */
  static void check(JsonNode body) {
    refuse(body, CONFIG, "");
    JsonNode host = body.path("HostConfig");
    refuse(host, HOST_CONFIG, "HostConfig.");
    String driver = host.path("VolumeDriver").asText("");
    if (!driver.isEmpty() && !driver.equals("local")) {
      throw new BerthException.InvalidArgument("HostConfig.VolumeDriver \"" + driver + "\" is not supported: Berth has"
          + " the local volume driver only");
    }
    if (set(host.get("StorageOpt"))) {
      // dockerd's words for overlay2 on a backing filesystem other than xfs with pquota
      throw new BerthException.InvalidArgument(
          "--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
    }
    for (var e : body.path("NetworkingConfig").path("EndpointsConfig").properties()) {
      refuse(e.getValue(), ENDPOINT, "NetworkingConfig.EndpointsConfig." + e.getKey() + ".");
      JsonNode ipam = e.getValue().path("IPAMConfig");
      for (String f : List.of("IPv6Address", "LinkLocalIPs")) {
        if (set(ipam.get(f))) {
          throw new BerthException.InvalidArgument("NetworkingConfig.EndpointsConfig." + e.getKey() + ".IPAMConfig." + f
              + " is not supported by Berth: its networks are IPv4 only");
        }
      }
    }
  }

  private static void refuse(JsonNode n, List<Refusal> refusals, String prefix) {
    for (Refusal r : refusals) {
      if (set(n.get(r.field()))) {
        throw new BerthException.InvalidArgument(prefix + r.field() + " is not supported by Berth: " + r.reason());
      }
    }
  }

  /** Whether a value differs from its zero value (null, "", 0, false, [], {}). */
  static boolean set(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return false;
    }
    if (v.isTextual()) {
      return !v.asText().isEmpty();
    }
    if (v.isNumber()) {
      return v.asDouble() != 0;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return !v.isEmpty();
  }
}
