package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same busybox container created through the API of dockerd 20.10 and of berthd: the key
 * trees of {@code GET /containers/{id}/json}, {@code GET /containers/json} and
 * {@code GET /images/{id}/json} (every key, recursively, with its JSON type) must match. A key
 * dockerd has and Berth lacks fails the test; so does a type that differs, unless listed in
 * {@link #KNOWN} with its reason.
 */
@Tag("integration")
class InspectShapeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Both speak 1.41 (dockerd 20.10's newest), so the shapes are those of one API version. */
  private static final String API = "/v1.41";
  /** Deliberate differences: path → why (docs/compatibility.md says the same). */
  private static final Map<String, String> KNOWN = Map.of();

  @TempDir
  Path dir;

  @Test
  void berthsInspectAndListHaveEveryKeyDockerdHasWithItsTypes() throws Exception {
    Assumptions.assumeTrue(DockerdProcess.available(), "dockerd is not installed: apt-get install docker.io");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess berth = BerthdProcess.start(dir.resolve("berthd"));
        DockerdProcess docker = DockerdProcess.start(dir.resolve("dockerd"))) {
      String image = registry.host() + "/shape/busybox:latest";
      BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(image);
      assertThat(Commands.berth(berth.host(), "pull", "-q", image).exitCode()).isZero();
      assertThat(docker.docker("pull", "-q", image).exitCode()).isZero();
      String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"30\"],\"Labels\":{\"k\":\"v\"},"
          + "\"HostConfig\":{\"NetworkMode\":\"none\"}}";
      Path berthSock = berth.socket();
      Path dockerSock = Path.of(docker.host().substring("unix://".length()));
      String berthId = call(berthSock, "POST", "/containers/create?name=shape", body).path("Id").asText();
      String dockerId = call(dockerSock, "POST", "/containers/create?name=shape", body).path("Id").asText();
      List<String> problems = new ArrayList<>();
      compare("created inspect", call(dockerSock, "GET", "/containers/" + dockerId + "/json", null),
          call(berthSock, "GET", "/containers/" + berthId + "/json", null), problems);
      call(berthSock, "POST", "/containers/" + berthId + "/start", null);
      call(dockerSock, "POST", "/containers/" + dockerId + "/start", null);
      compare("running inspect", call(dockerSock, "GET", "/containers/" + dockerId + "/json", null),
          call(berthSock, "GET", "/containers/" + berthId + "/json", null), problems);
      compare("list", call(dockerSock, "GET", "/containers/json?all=1", null),
          call(berthSock, "GET", "/containers/json?all=1", null), problems);
      compare("image inspect", call(dockerSock, "GET", "/images/" + image + "/json", null),
          call(berthSock, "GET", "/images/" + image + "/json", null), problems);
      call(berthSock, "DELETE", "/containers/" + berthId + "?force=1", null);
      call(dockerSock, "DELETE", "/containers/" + dockerId + "?force=1", null);
      assertThat(problems).as("keys or types where Berth differs from dockerd 20.10").isEmpty();
    }
  }

  private static JsonNode call(Path socket, String method, String path, String body) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-X", method, "--unix-socket", socket.toString()));
    if (body != null) {
      cmd.addAll(List.of("-H", "Content-Type: application/json", "-d", body));
    }
    cmd.add("http://localhost" + API + path);
    ProcessResult r = Commands.run(cmd, Duration.ofSeconds(30));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.stdout().isBlank() ? JSON.nullNode() : JSON.readTree(r.stdout());
  }

  /** Every key dockerd has must be in Berth's answer with the same type (null is its own type). */
  static void compare(String what, JsonNode docker, JsonNode berth, List<String> problems) {
    Map<String, String> d = new TreeMap<>();
    Map<String, String> b = new TreeMap<>();
    shape("", docker, d);
    shape("", berth, b);
    for (Map.Entry<String, String> e : d.entrySet()) {
      String path = e.getKey();
      if (KNOWN.containsKey(path)) {
        continue;
      }
      String mine = b.get(path);
      if (mine == null) {
        problems.add(what + ": missing " + path + " (" + e.getValue() + ")");
      } else if (!mine.equals(e.getValue())) {
        problems.add(what + ": " + path + " is " + mine + ", dockerd's is " + e.getValue());
      }
    }
    for (String path : b.keySet()) {
      if (!d.containsKey(path) && !KNOWN.containsKey(path) && !underDataMap(path)) {
        problems.add(what + ": extra " + path + " (" + b.get(path) + ")");
      }
    }
  }

  /** Keys that are data (label names, network names, env) rather than shape. */
  private static boolean underDataMap(String path) {
    return Set.of("Labels", "Networks", "Ports", "Volumes", "Data", "ExposedPorts").stream()
        .anyMatch(k -> path.contains("." + k + ".") || path.startsWith(k + "."));
  }

  private static void shape(String prefix, JsonNode n, Map<String, String> out) {
    String type = n.isObject() ? "object" : n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number"
        : n.isBoolean() ? "boolean" : "null";
    if (!prefix.isEmpty()) {
      out.put(prefix, type);
    }
    if (n.isObject()) {
      n.properties().forEach(e -> shape(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
    } else if (n.isArray() && !n.isEmpty()) {
      // the elements' shape, the first as the example
      shape(prefix + "[]", n.get(0), out);
    }
  }
}
