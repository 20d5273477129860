package dev.berth.cli.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Registry logins in Docker's {@code config.json} format ({@code auths: {"host": {"auth":
 * base64(user:pass)}}}), so {@code berth login} and {@code docker login} share them. Other keys
 * of the file are kept untouched on write. Credential helpers ({@code credsStore}, {@code
 * credHelpers}) are not supported yet: entries stored there are not found.
 */
public final class Credentials {
  private static final String DOCKER_HUB = "docker.io";

  /** Docker writes Hub logins under this legacy key. */
  private static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

  private final Path file;

  public Credentials(Path file) {
    this.file = file;
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static Credentials fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** A registry login: user and password (or token). */
  public record Login(String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + ", password hidden]";
    }
  }

  static Credentials fromEnvironment(Map<String, String> env, Path home) {
    String dir = env.get("DOCKER_CONFIG");
    Path base = dir != null && !dir.isEmpty() ? Path.of(dir) : home.resolve(".docker");
    return new Credentials(base.resolve("config.json"));
  }

  public Path file() {
    return file;
  }

  /**
   * The login for a registry domain as users write it ({@code docker.io}, {@code
   * localhost:5000}); entries keyed by URL ({@code https://host/v1/}) match too.
   */
  public Optional<Login> get(String domain) {
    JsonNode auths = read().path("auths");
    for (String key : keysFor(domain)) {
      JsonNode entry = auths.get(key);
      if (entry != null) {
        Optional<Login> found = decode(entry, key);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    for (var field : auths.properties()) {
      if (hostOf(field.getKey()).equals(domain)) {
        Optional<Login> found = decode(field.getValue(), field.getKey());
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** Every stored login by its key in the file (a build sends them all for its FROM pulls, as docker does). */
  public Map<String, Login> all() {
    Map<String, Login> out = new java.util.LinkedHashMap<>();
    for (var field : read().path("auths").properties()) {
      decode(field.getValue(), field.getKey()).ifPresent(l -> out.put(field.getKey(), l));
    }
    return out;
  }

  /** Stores a login, replacing any for the same registry. */
  public void put(String domain, Login credentials) {
    ObjectNode root = read();
    ObjectNode auths = root.has("auths") && root.get("auths").isObject()
        ? (ObjectNode) root.get("auths")
        : root.putObject("auths");
    keysFor(domain).forEach(auths::remove);
    String auth = Base64.getEncoder().encodeToString(
        (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
    auths.putObject(keysFor(domain).getFirst()).put("auth", auth);
    write(root);
  }

  /** Removes the login for a registry; returns false if there was none. */
  public boolean remove(String domain) {
    ObjectNode root = read();
    if (!(root.get("auths") instanceof ObjectNode auths)) {
      return false;
    }
    boolean removed = false;
    for (String key : keysFor(domain)) {
      removed |= auths.remove(key) != null;
    }
    if (removed) {
      write(root);
    }
    return removed;
  }

  private static List<String> keysFor(String domain) {
    if (domain.equals(DOCKER_HUB) || domain.equals("index.docker.io")
        || domain.equals("registry-1.docker.io")) {
      return List.of(DOCKER_HUB_KEY, "docker.io", "index.docker.io", "registry-1.docker.io");
    }
    return List.of(domain, "https://" + domain, "http://" + domain);
  }

  private static String hostOf(String key) {
    String rest = key.replaceFirst("^https?://", "");
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  private Optional<Login> decode(JsonNode entry, String key) {
    String auth = entry.path("auth").asText("");
    if (auth.isEmpty()) {
      String user = entry.path("username").asText("");
      return user.isEmpty()
          ? Optional.empty()
          : Optional.of(new Login(user, entry.path("password").asText("")));
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw corrupt("the auth of '" + key + "' is not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw corrupt("the auth of '" + key + "' is not base64(user:password)");
    }
    return Optional.of(new Login(decoded.substring(0, colon), decoded.substring(colon + 1)));
  }

  private ObjectNode read() {
    if (!Files.exists(file)) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length == 0) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!(Json.parse(bytes) instanceof ObjectNode root)) {
        throw corrupt("it is not a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw corrupt(e.getMessage());
    }
  }

  /** Temp file with mode 0600 from the start, fsync, atomic rename: never half a file. */
  private void write(ObjectNode root) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = dir.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
      try {
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
        byte[] bytes = Json.pretty(root).getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ByteBuffer buffer = ByteBuffer.wrap((new String(bytes, StandardCharsets.UTF_8) + "\n")
              .getBytes(StandardCharsets.UTF_8));
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private IllegalArgumentException corrupt(String why) {
    return new IllegalArgumentException(
        "cannot read credentials from " + file + ": " + why + "; fix or remove the file");
  }
}
