package dev.berth.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * /etc/berth/daemon.json: the same keys as berthd's long flags, as with dockerd's daemon.json.
 * Unknown keys are an error (a typo would otherwise be ignored silently).
 */
public final class ConfigFile {
  /** The keys this berthd understands, each named after its flag. */
  public static final Set<String> KEYS = Set.of("hosts", "data-root", "exec-root", "log-level", "pidfile",
      "insecure-registries", "default-runtime", "bridge", "bip", "default-address-pools", "iptables-prefix",
      "vm-kernel", "vm-accel", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "group",
      "api-max-connections", "registry-mirrors", "console-addr", "cri-socket",
      "userns-remap", "cni-config-dir", "cni-plugin-dirs");

  private final Map<String, JsonNode> values;

  private ConfigFile(Map<String, JsonNode> values) {
    this.values = values;
  }

  public static ConfigFile empty() {
    return new ConfigFile(Map.of());
  }

  /**
   * Reads {@code file}. A missing file is an empty config when it is the default path, and an
   * error when the user named it.
   */
  public static ConfigFile read(Path file, boolean named) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      if (named) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      return empty();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("config file " + file + " is not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (root == null || root.isMissingNode()) {
      return empty();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
    }
    Map<String, JsonNode> values = new LinkedHashMap<>();
    Set<String> unknown = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!KEYS.contains(e.getKey())) {
        unknown.add(e.getKey());
      }
      values.put(e.getKey(), e.getValue());
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the following directives don't match any configuration option: "
          + String.join(", ", unknown) + " (in " + file + "; known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
    }
    return new ConfigFile(values);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public String string(String key) {
    JsonNode node = values.get(key);
    if (!node.isTextual()) {
      throw new IllegalArgumentException("config key \"" + key + "\" must be a string");
    }
    return node.asText();
  }

  /** dockerd's default-address-pools: [{"base": "10.89.0.0/16", "size": 24}, …]. */
  public List<dev.berth.engine.network.NetworkDefaults.Pool> pools(String key) {
    JsonNode node = values.get(key);
    List<dev.berth.engine.network.NetworkDefaults.Pool> pools = new ArrayList<>();
    for (JsonNode item : node.isArray() ? node : List.<JsonNode>of()) {
      if (!item.path("base").isTextual() || !item.path("size").isInt()) {
        throw new IllegalArgumentException("config key \"" + key + "\" must be an array of {\"base\": CIDR, \"size\": n}");
      }
      pools.add(new dev.berth.engine.network.NetworkDefaults.Pool(item.path("base").asText(), item.path("size").asInt()));
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("config key \"" + key + "\" must be an array of {\"base\": CIDR, \"size\": n}");
    }
    return pools;
  }

  /**
   * {@code registry-mirrors}: dockerd's list of docker.io mirrors, {@code ["https://mirror.example"]},
   * or Berth's object of mirrors per registry, {@code {"registry.k8s.io": ["http://127.0.0.1:5000"]}}.
   */
  public void mirrors(String key, dev.berth.engine.image.registry.RegistryMirrors.Builder table) {
    JsonNode node = values.get(key);
    String shape = "config key \"" + key + "\" must be an array of mirror URLs (mirrors of docker.io) or an object "
        + "of arrays, as in {\"registry.k8s.io\": [\"http://127.0.0.1:5000\"]}";
    if (node.isArray()) {
      strings(key).forEach(url -> table.add(dev.berth.engine.image.registry.RegistryMirrors.DOCKER_HUB, url));
      return;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(shape);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isArray()) {
        throw new IllegalArgumentException(shape);
      }
      for (JsonNode url : e.getValue()) {
        if (!url.isTextual()) {
          throw new IllegalArgumentException(shape);
        }
        table.add(e.getKey(), url.asText());
      }
    }
  }

  public int integer(String key) {
    JsonNode node = values.get(key);
    if (!node.isInt()) {
      throw new IllegalArgumentException("config key \"" + key + "\" must be a whole number");
    }
    return node.asInt();
  }

  public boolean bool(String key) {
    JsonNode node = values.get(key);
    if (!node.isBoolean()) {
      throw new IllegalArgumentException("config key \"" + key + "\" must be true or false");
    }
    return node.asBoolean();
  }

  public List<String> strings(String key) {
    JsonNode node = values.get(key);
    if (!node.isArray()) {
      throw new IllegalArgumentException("config key \"" + key + "\" must be an array of strings");
    }
    List<String> result = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw new IllegalArgumentException("config key \"" + key + "\" must be an array of strings");
      }
      result.add(item.asText());
    }
    return result;
  }
}
