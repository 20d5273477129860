package dev.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs CNI plugins as the CNI spec says: the network config on stdin, the CNI_* variables in
 * the environment, a result or an error ({code, msg, details}) on stdout. A config list runs its
 * plugins in order for ADD and CHECK (each gets the previous result) and in reverse for DEL.
 */
public final class CniExecutor {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CniExecutor.class);
  /** The versions Berth speaks, best first. */
  static final List<String> OURS = List.of("1.0.0", "0.4.0");
  private static final long TIMEOUT_SECONDS = 60;

  private final List<Path> pluginDirs;
  private final Map<String, List<String>> supported = new ConcurrentHashMap<>();

  public CniExecutor(List<Path> pluginDirs) {
    this.pluginDirs = List.copyOf(pluginDirs);
  }

  /** Debian's /usr/lib/cni, then the usual /opt/cni/bin. */
  public static CniExecutor system() {
    return new CniExecutor(List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")));
  }

  /** The arguments of one invocation besides the config. */
  public record Invocation(String containerId, String netns, String ifname, String args) {}

  public Path plugin(String type) {
    for (Path dir : pluginDirs) {
      Path p = dir.resolve(type);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new BerthException.Unavailable("CNI plugin " + type + " not found in " + pluginDirs
        + "; install containernetworking-plugins");
  }

  /**
   * The newest CNI version that Berth and every plugin named speak, from each plugin's VERSION
   * answer (asked once per plugin).
   */
  public String negotiate(List<String> types) {
    for (String v : OURS) {
      if (types.stream().allMatch(t -> versions(t).contains(v))) {
        return v;
      }
    }
    throw new BerthException.Unavailable("the CNI plugins " + types + " share no version with Berth (" + OURS + ")");
  }

  List<String> versions(String type) {
    return supported.computeIfAbsent(type, t -> {
      byte[] out = run(t, "VERSION", new Invocation("", "", "", ""), "{\"cniVersion\":\"1.0.0\"}".getBytes());
      try {
        JsonNode n = CniResult.JSON.readTree(out);
        List<String> vs = new ArrayList<>();
        n.path("supportedVersions").forEach(x -> vs.add(x.asText()));
        return List.copyOf(vs);
      } catch (IOException e) {
        throw new BerthException("CNI plugin " + t + " gave an unreadable VERSION answer: " + e.getMessage(), e);
      }
    });
  }

  /** ADD over a config list; the last plugin's result. */
  public CniResult add(ObjectNode confList, Invocation inv) {
    JsonNode prev = null;
    for (JsonNode plugin : confList.path("plugins")) {
      byte[] out = run(plugin.path("type").asText(), "ADD", inv, netConf(confList, plugin, prev));
      prev = readTree(out);
    }
    try {
      return prev == null ? new CniResult(confList.path("cniVersion").asText(), null, null, null, null)
          : CniResult.JSON.treeToValue(prev, CniResult.class);
    } catch (IOException e) {
      throw new BerthException("unreadable CNI result: " + e.getMessage(), e);
    }
  }

  /** CHECK over a config list, given the ADD result. */
  public void check(ObjectNode confList, Invocation inv, CniResult added) {
    for (JsonNode plugin : confList.path("plugins")) {
      run(plugin.path("type").asText(), "CHECK", inv, netConf(confList, plugin, added == null ? null : added.toJson()));
    }
  }

  /**
   * DEL over a config list, in reverse order. Every plugin runs even if one fails (so what can be
   * freed is freed); the first failure is thrown at the end.
   */
  public void del(ObjectNode confList, Invocation inv, CniResult added) {
    List<JsonNode> plugins = new ArrayList<>();
    confList.path("plugins").forEach(plugins::add);
    CniException first = null;
    for (JsonNode plugin : plugins.reversed()) {
      try {
        run(plugin.path("type").asText(), "DEL", inv, netConf(confList, plugin, added == null ? null : added.toJson()));
      } catch (CniException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The config one plugin sees: its own keys plus the list's name and cniVersion (and prevResult). */
  static byte[] netConf(ObjectNode list, JsonNode plugin, JsonNode prevResult) {
    ObjectNode conf = ((ObjectNode) plugin).deepCopy();
    conf.put("cniVersion", list.path("cniVersion").asText());
    conf.put("name", list.path("name").asText());
    if (prevResult != null) {
      conf.set("prevResult", prevResult);
    }
    try {
      return CniResult.JSON.writeValueAsBytes(conf);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode readTree(byte[] out) {
    try {
      return CniResult.JSON.readTree(out);
    } catch (IOException e) {
      throw new BerthException("unreadable CNI result: " + e.getMessage(), e);
    }
  }

  byte[] run(String type, String command, Invocation inv, byte[] stdin) {
    Path binary = plugin(type);
    ProcessBuilder pb = new ProcessBuilder(binary.toString());
    Map<String, String> env = pb.environment();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", inv.containerId());
    env.put("CNI_NETNS", inv.netns());
    env.put("CNI_IFNAME", inv.ifname());
    env.put("CNI_ARGS", inv.args());
    env.put("CNI_PATH", pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    try {
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        in.write(stdin);
      } catch (IOException notRead) {
        // a plugin may exit without reading its config (VERSION does): its output and exit code tell
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CniException(type, 0, command + " did not finish within " + TIMEOUT_SECONDS + " s", "");
      }
      log.debug("CNI {} {} for {}: exit {} in {} ms", type, command, inv.containerId().substring(0,
          Math.min(12, inv.containerId().length())), p.exitValue(), (System.nanoTime() - t0) / 1_000_000);
      if (p.exitValue() != 0) {
        throw error(type, command, out, p.exitValue());
      }
      return out;
    } catch (IOException e) {
      throw new CniException(type, 0, "cannot run " + binary + ": " + e.getMessage(), "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CniException(type, 0, "interrupted", "");
    }
  }

  /** The spec's error result, or the raw output when the plugin wrote none. */
  static CniException error(String type, String command, byte[] out, int exit) {
    try {
      JsonNode n = CniResult.JSON.readTree(out);
      if (n != null && n.has("msg")) {
        return new CniException(type, n.path("code").asInt(0), command + ": " + n.path("msg").asText(),
            n.path("details").asText(""));
      }
    } catch (IOException notJson) {
      // fall through
    }
    return new CniException(type, 0, command + " exited with " + exit + ": " + new String(out).strip(), "");
  }
}
