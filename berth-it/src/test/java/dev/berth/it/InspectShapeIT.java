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
      List<String> problems = new ArrayList<>();
      // a container with many fields set: the shapes of what is there, not only of zero values
      java.nio.file.Files.createDirectories(dir.resolve("bind"));
      String rich = "{\"Image\":\"" + image + "\",\"Cmd\":[\"30\"],\"Entrypoint\":[\"sleep\"],"
          + "\"Env\":[\"A=1\"],\"WorkingDir\":\"/tmp\",\"User\":\"0\","
          + "\"StopSignal\":\"SIGINT\",\"StopTimeout\":3,\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},"
          + "\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"" + dir.resolve("bind") + ":/b:ro\"],"
          + "\"Tmpfs\":{\"/t\":\"size=1m\"},\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/m\"}],"
          + "\"Dns\":[\"10.0.0.53\"],\"DnsSearch\":[\"a.test\"],\"DnsOptions\":[\"ndots:2\"],"
          + "\"ExtraHosts\":[\"db:10.1.2.3\"],\"GroupAdd\":[\"1234\"],\"CapAdd\":[\"NET_ADMIN\"],"
          + "\"CapDrop\":[\"MKNOD\"],\"SecurityOpt\":[\"no-new-privileges\"],"
          + "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}],"
          + "\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/mynull\","
          + "\"CgroupPermissions\":\"rwm\"}],\"DeviceCgroupRules\":[\"c 1:7 rwm\"],\"ShmSize\":1048576,"
          + "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"Memory\":67108864,\"MemoryReservation\":8388608,"
          + "\"MemorySwappiness\":10,\"OomKillDisable\":true,\"PidsLimit\":100,\"CpuShares\":512,"
          + "\"PidMode\":\"host\",\"IpcMode\":\"private\",\"CgroupnsMode\":\"private\",\"ReadonlyRootfs\":true}}";
      String berthRich = created(call(berthSock, "POST", "/containers/create?name=rich", rich));
      String dockerRich = created(call(dockerSock, "POST", "/containers/create?name=rich", rich));
      compare("inspect with many fields", call(dockerSock, "GET", "/containers/" + dockerRich + "/json", null),
          call(berthSock, "GET", "/containers/" + berthRich + "/json", null), problems);
      call(berthSock, "POST", "/containers/" + berthRich + "/start", null);
      call(dockerSock, "POST", "/containers/" + dockerRich + "/start", null);
      compare("running with many fields", call(dockerSock, "GET", "/containers/" + dockerRich + "/json", null),
          call(berthSock, "GET", "/containers/" + berthRich + "/json", null), problems);
      call(berthSock, "DELETE", "/containers/" + berthRich + "?force=1&v=1", null);
      call(dockerSock, "DELETE", "/containers/" + dockerRich + "?force=1&v=1", null);
      String berthId = created(call(berthSock, "POST", "/containers/create?name=shape", body));
      String dockerId = created(call(dockerSock, "POST", "/containers/create?name=shape", body));
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

  private static String created(JsonNode answer) {
    assertThat(answer.path("Id").asText()).as(answer.toString()).isNotEmpty();
    return answer.path("Id").asText();
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
    } else if (n.isArray()) {
      // the union of the elements' shapes: order is data, not shape (Mounts: binds and volumes)
      n.forEach(e -> shape(prefix + "[]", e, out));
    }
  }
}
