package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.container.HostOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** HostConfig's namespace, device, memory-tuning, sysctl and DNS fields (engine: {@link HostOptions}), in and out. */
final class HostJsons {
  private HostJsons() {}

  static HostOptions fromCreate(JsonNode host) {
    List<HostOptions.DeviceMapping> devices = new ArrayList<>();
    for (JsonNode d : host.path("Devices")) {
      devices.add(HostOptions.DeviceMapping.of(d.path("PathOnHost").asText(""), d.path("PathInContainer").asText(""),
          d.path("CgroupPermissions").asText("")));
    }
    JsonNode swappiness = host.path("MemorySwappiness");
    return new HostOptions(
        strings(host.get("GroupAdd")),
        host.path("PidMode").asText(""),
        host.path("IpcMode").asText(""),
        host.path("UTSMode").asText(""),
        host.path("CgroupnsMode").asText(""),
        devices,
        strings(host.get("DeviceCgroupRules")),
        host.path("MemoryReservation").asLong(0),
        swappiness.isNumber() && swappiness.asLong() != -1 ? swappiness.asLong() : null,
        host.path("OomKillDisable").asBoolean(false),
        host.path("ShmSize").asLong(0),
        map(host.get("Sysctls")),
        strings(host.get("Dns")),
        strings(host.get("DnsSearch")),
        strings(host.get("DnsOptions")),
        strings(host.get("ExtraHosts")),
        host.path("OomScoreAdj").asInt(0),
        map(host.get("Annotations")),
        strings(host.get("Links")).stream().map(HostOptions.Link::parse).toList(),
        host.path("UsernsMode").asText(""));
  }

  /** Inspect's HostConfig keys for these fields, with dockerd 20.10's values when unset. */
  static void putHostConfig(Map<String, Object> h, HostOptions o) {
    h.put("CgroupnsMode", o.cgroupnsMode().isEmpty() ? "host" : o.cgroupnsMode());
    h.put("Dns", o.dns().isEmpty() ? null : o.dns());
    h.put("DnsOptions", o.dnsOptions().isEmpty() ? null : o.dnsOptions());
    h.put("DnsSearch", o.dnsSearch().isEmpty() ? null : o.dnsSearch());
    h.put("ExtraHosts", o.extraHosts().isEmpty() ? null : o.extraHosts());
    h.put("GroupAdd", o.groupAdd().isEmpty() ? null : o.groupAdd());
    h.put("IpcMode", o.ipcMode().isEmpty() ? "private" : o.ipcMode());
    h.put("OomScoreAdj", o.oomScoreAdj());
    h.put("PidMode", o.pidMode());
    h.put("UTSMode", o.utsMode());
    h.put("ShmSize", o.shmSize() > 0 ? o.shmSize() : dev.berth.engine.runtime.SpecDefaults.SHM_SIZE_BYTES);
    if (!o.sysctls().isEmpty()) {
      h.put("Sysctls", o.sysctls());
    }
    if (!o.annotations().isEmpty()) {
      h.put("Annotations", o.annotations());
    }
    List<Map<String, Object>> devices = new ArrayList<>();
    for (HostOptions.DeviceMapping d : o.devices()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("PathOnHost", d.pathOnHost());
      m.put("PathInContainer", d.pathInContainer());
      m.put("CgroupPermissions", d.cgroupPermissions());
      devices.add(m);
    }
    h.put("Devices", devices.isEmpty() ? null : devices);
    h.put("DeviceCgroupRules", o.deviceCgroupRules().isEmpty() ? null : o.deviceCgroupRules());
    h.put("MemoryReservation", o.memoryReservation());
    h.put("MemorySwappiness", o.memorySwappiness());
    h.put("OomKillDisable", o.oomKillDisable());
  }

  /** HostConfig.Links as dockerd shows them: "/child:/parent/alias". */
  static List<String> links(String parentName, HostOptions o) {
    return o.links().stream().map(l -> "/" + l.name() + ":/" + parentName + "/" + l.alias()).toList();
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  private static Map<String, String> map(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n != null && n.isObject()) {
      n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
