package dev.berth.engine.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.network.CniException;
import dev.berth.engine.network.CniExecutor;
import dev.berth.engine.network.CniResult;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pods' CNI network, as kubelet's runtimes wire it: the first config (by file name) in the
 * config dir, Berth's bridge conflist written there when the dir has none (as CRI-O does), the
 * plugins from the plugin dirs; ADD and DEL with kubelet's CNI_ARGS and the sandbox's port
 * mappings as the {@code portMappings} capability (the portmap plugin).
 */
final class SandboxNetwork {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SandboxNetwork.class);
  /** The name of the conflist Berth writes into an empty config dir. */
  static final String DEFAULT_FILE = "10-berth-bridge.conflist";
  private static final long MS_BIND = 4096;

  private final PodNetworkConfig config;
  private final Path netnsDir;
  private final Path ipamDir;
  private final CniExecutor cni;

  SandboxNetwork(PodNetworkConfig config, Path netnsDir, Path ipamDir) {
    this.config = config;
    this.netnsDir = netnsDir;
    this.ipamDir = ipamDir;
    this.cni = new CniExecutor(config.binDirs());
  }

  /** The config list pods join now, writing Berth's into an empty config dir first. */
  synchronized ObjectNode confList() {
    Optional<ObjectNode> found = find();
    if (found.isPresent()) {
      return found.get();
    }
    Path file = config.confDir().resolve(DEFAULT_FILE);
    try {
      Files.createDirectories(config.confDir());
      Path tmp = config.confDir().resolve("." + DEFAULT_FILE + ".tmp");
      Files.write(tmp, PodRecords.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(defaultConfList(config,
          ipamDir)));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      log.info("wrote the pods' CNI config {} (bridge {}, subnet {})", file, config.bridge(), config.subnet());
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot write the pods' CNI config " + file + ": " + e.getMessage(), e);
    }
    return find().orElseThrow();
  }

  /** Why pods cannot be networked now, or empty when they can (CRI's NetworkReady). */
  Optional<String> notReady() {
    try {
      ObjectNode list = confList();
      for (JsonNode p : list.path("plugins")) {
        cni.plugin(p.path("type").asText());
      }
      return Optional.empty();
    } catch (BerthException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The first usable .conflist, .conf or .json in the config dir, by name; a single .conf as a list of one. */
  Optional<ObjectNode> find() {
    if (!Files.isDirectory(config.confDir())) {
      return Optional.empty();
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(config.confDir())) {
      files = s.filter(p -> {
        String n = p.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".conflist") || n.endsWith(".conf") || n.endsWith(".json"));
      }).sorted().toList();
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot read " + config.confDir() + ": " + e.getMessage(), e);
    }
    for (Path f : files) {
      try {
        JsonNode n = PodRecords.JSON.readTree(f.toFile());
        if (n instanceof ObjectNode o && o.has("plugins")) {
          return Optional.of(o);
        }
        if (n instanceof ObjectNode o && o.has("type")) {
          ObjectNode list = PodRecords.JSON.createObjectNode();
          list.put("cniVersion", o.path("cniVersion").asText("0.4.0"));
          list.put("name", o.path("name").asText());
          list.putArray("plugins").add(o);
          return Optional.of(list);
        }
      } catch (IOException e) {
        log.warn("CNI config {} is unreadable, skipped: {}", f, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Berth's bridge for pods: masquerading out, host-local addresses, host ports by portmap. */
  static ObjectNode defaultConfList(PodNetworkConfig config, Path ipamDir) {
    ObjectNode list = PodRecords.JSON.createObjectNode();
    list.put("cniVersion", "1.0.0");
    list.put("name", "berth-pods");
    ArrayNode plugins = list.putArray("plugins");
    ObjectNode bridge = plugins.addObject();
    bridge.put("type", "bridge");
    bridge.put("bridge", config.bridge());
    bridge.put("isGateway", true);
    bridge.put("ipMasq", true);
    bridge.put("hairpinMode", true);
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.put("dataDir", ipamDir.toString());
    ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
    ipam.putArray("ranges").addArray().addObject().put("subnet", config.subnet());
    ObjectNode portmap = plugins.addObject();
    portmap.put("type", "portmap");
    portmap.putObject("capabilities").put("portMappings", true);
    return list;
  }

  /** What ADD left: the bound namespace, the config it ran with, the pod's addresses. */
  record Attachment(Path netns, ObjectNode confList, String ip, List<String> additionalIps) {}

  /**
   * Binds the infra process's network namespace on a file (so DEL finds it after the process is
   * gone) and runs ADD; on failure nothing is left.
   */
  Attachment attach(String sandboxId, int infraPid, SandboxSpec spec) {
    Path netns = netnsFile(sandboxId);
    try {
      Files.createDirectories(netnsDir);
      Files.deleteIfExists(netns);
      Files.createFile(netns);
      Mounts.mount("/proc/" + infraPid + "/ns/net", netns, "none", MS_BIND, "");
    } catch (IOException | RuntimeException e) {
      unbind(netns);
      throw new BerthException.Unavailable("cannot bind the network namespace of sandbox " + sandboxId + ": "
          + e.getMessage(), e);
    }
    return add(sandboxId, netns, spec);
  }

  /** Where a sandbox's network namespace is bound. */
  Path netnsFile(String sandboxId) {
    return netnsDir.resolve(sandboxId);
  }

  /** ADD into the namespace bound on {@code netns}; on failure DEL runs and the file is unbound. */
  Attachment add(String sandboxId, Path netns, SandboxSpec spec) {
    ObjectNode list = withPortMappings(confList(), spec.portMappings());
    CniExecutor.Invocation inv = invocation(sandboxId, netns, spec.metadata());
    try {
      CniResult result = cni.add(list, inv);
      List<String> ips = new ArrayList<>();
      for (CniResult.Ip ip : result.ips()) {
        if (ip.address() != null) {
          ips.add(ip.address().contains("/") ? ip.address().substring(0, ip.address().indexOf('/')) : ip.address());
        }
      }
      ips.sort((a, b) -> Boolean.compare(a.contains(":"), b.contains(":"))); // IPv4 first, as kubelet expects
      String first = ips.isEmpty() ? "" : ips.getFirst();
      return new Attachment(netns, list, first, ips.isEmpty() ? List.of() : List.copyOf(ips.subList(1, ips.size())));
    } catch (RuntimeException e) {
      try {
        cni.del(list, inv, null);
      } catch (RuntimeException ignored) {
        // the ADD's own failure is the one to report
      }
      unbind(netns);
      throw e instanceof CniException ? new BerthException.Unavailable("cannot set up the network of sandbox "
          + sandboxId + ": " + e.getMessage(), e) : e;
    }
  }

  /** DEL (what can be freed is freed even when the namespace is gone), then the namespace file. */
  void detach(SandboxRecord r) {
    Path netns = r.netns().isEmpty() ? null : Path.of(r.netns());
    if (r.network() != null) {
      String ns = netns != null && Mounts.isMountPoint(netns) ? netns.toString() : "";
      try {
        cni.del(r.network(), invocation(r.id(), ns.isEmpty() ? null : netns, r.spec().metadata()), null);
      } catch (RuntimeException e) {
        log.warn("sandbox {}: CNI DEL failed: {}", r.id().substring(0, 12), e.getMessage());
      }
    }
    if (netns != null) {
      unbind(netns);
    }
  }

  private static CniExecutor.Invocation invocation(String id, Path netns, PodMetadata m) {
    String args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + m.namespace() + ";K8S_POD_NAME=" + m.name()
        + ";K8S_POD_INFRA_CONTAINER_ID=" + id + ";K8S_POD_UID=" + m.uid();
    return new CniExecutor.Invocation(id, netns == null ? "" : netns.toString(), "eth0", args);
  }

  /**
   * The list with {@code runtimeConfig.portMappings} given to each plugin that declares the
   * capability. A pod without host ports runs without the portmap plugin: its ADD would pass the
   * result through unchanged, and its DEL would still run iptables to clean up chains that were
   * never made (~10–20 ms of each pod's stop); DEL runs with the list ADD ran with, so the two agree.
   */
  static ObjectNode withPortMappings(ObjectNode list, List<PodPortMapping> mappings) {
    ObjectNode copy = list.deepCopy();
    if (mappings.stream().noneMatch(m -> m.hostPort() > 0) && list.path("plugins").isArray()) {
      ArrayNode kept = copy.putArray("plugins");
      for (JsonNode p : list.path("plugins")) {
        if (!(p.path("type").asText().equals("portmap") && p.path("capabilities").path("portMappings").asBoolean(false))) {
          kept.add(p.deepCopy());
        }
      }
      return copy;
    }
    for (JsonNode p : copy.path("plugins")) {
      if (p.path("capabilities").path("portMappings").asBoolean(false)) {
        ArrayNode arr = ((ObjectNode) p).putObject("runtimeConfig").putArray("portMappings");
        for (PodPortMapping m : mappings) {
          if (m.hostPort() <= 0) {
            continue; // only ports published on the host need the plugin
          }
          ObjectNode o = arr.addObject();
          o.put("hostPort", m.hostPort());
          o.put("containerPort", m.containerPort());
          o.put("protocol", m.protocol().name().toLowerCase(java.util.Locale.ROOT));
          if (!m.hostIp().isEmpty()) {
            o.put("hostIP", m.hostIp());
          }
        }
      }
    }
    return copy;
  }

  static void unbind(Path netns) {
    try {
      Mounts.unmount(netns, Mounts.MNT_DETACH); // not a mount point (EINVAL) or gone: nothing to do (no mountinfo read)
      Files.deleteIfExists(netns);
    } catch (IOException e) {
      log.warn("cannot remove the network namespace file {}: {}", netns, e.getMessage());
    }
  }
}
