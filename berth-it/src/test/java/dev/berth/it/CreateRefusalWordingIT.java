package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create bodies that dockerd 20.10 refuses at create: berthd refuses them too, with the same status
 * and a message that contains dockerd's. And those dockerd takes but fails at start, which Berth
 * refuses at create (a deliberate difference, docs/compatibility.md).
 */
@Tag("integration")
class CreateRefusalWordingIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void berthRefusesWhatDockerdRefusesInItsWords() throws Exception {
    Assumptions.assumeTrue(DockerdProcess.available(), "dockerd is not installed: apt-get install docker.io");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess berth = BerthdProcess.start(dir.resolve("berthd"));
        DockerdProcess docker = DockerdProcess.start(dir.resolve("dockerd"))) {
      String image = registry.host() + "/wording/busybox:latest";
      BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(image);
      assertThat(Commands.berth(berth.host(), "pull", "-q", image).exitCode()).isZero();
      assertThat(docker.docker("pull", "-q", image).exitCode()).isZero();
      String img = "\"Image\":\"" + image + "\",\"Cmd\":[\"true\"]";
      Map<String, String> bodies = new LinkedHashMap<>();
      Map<String, String> earlier = new LinkedHashMap<>();
      earlier.put("pid mode", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"PidMode\":\"bogus\"}}");
      earlier.put("ipc mode", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"IpcMode\":\"bogus\"}}");
      earlier.put("device cgroup rule", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\","
          + "\"DeviceCgroupRules\":[\"x 1:2 r\"]}}");
      earlier.put("sysctl", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"Sysctls\":"
          + "{\"vm.swappiness\":\"1\"}}}");
      bodies.put("uts and hostname", "{" + img + ",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"none\","
          + "\"UTSMode\":\"host\"}}");
      bodies.put("cgroupns", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"CgroupnsMode\":\"bogus\"}}");
      bodies.put("swappiness", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"MemorySwappiness\":101}}");
      bodies.put("reservation", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"MemoryReservation\":1000}}");
      bodies.put("reservation over limit", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"Memory\":"
          + "16777216,\"MemoryReservation\":33554432}}");
      bodies.put("shm size", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"ShmSize\":-1}}");
      bodies.put("oom score", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"OomScoreAdj\":1001}}");
      bodies.put("storage opt", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"StorageOpt\":{\"size\":"
          + "\"1G\"}}}");
      bodies.put("log driver", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"none\",\"LogConfig\":{\"Type\":"
          + "\"bogus\"}}}");
      bodies.put("link and host network", "{" + img + ",\"HostConfig\":{\"NetworkMode\":\"host\",\"Links\":"
          + "[\"x:y\"]}}");
      List<String> differences = new ArrayList<>();
      for (Map.Entry<String, String> e : earlier.entrySet()) {
        String[] d = create(Path.of(docker.host().substring("unix://".length())), e.getValue());
        String[] b = create(berth.socket(), e.getValue());
        if (!d[0].equals("201") || !b[0].equals("400")) {
          differences.add(e.getKey() + ": expected dockerd 201 (it fails at start) and Berth 400 at create, got "
              + d[0] + " and " + b[0] + " " + b[1]);
        }
      }
      for (Map.Entry<String, String> e : bodies.entrySet()) {
        String[] d = create(Path.of(docker.host().substring("unix://".length())), e.getValue());
        String[] b = create(berth.socket(), e.getValue());
        String dMessage = JSON.readTree(d[1]).path("message").asText(d[1]);
        String bMessage = JSON.readTree(b[1]).path("message").asText(b[1]);
        if (!d[0].startsWith("4") && !d[0].startsWith("5")) {
          differences.add(e.getKey() + ": dockerd accepts it (" + d[0] + "), Berth answers " + b[0] + " " + bMessage);
        } else if (!(b[0].equals(d[0]) || e.getKey().equals("storage opt")) || !bMessage.toLowerCase().contains(core(dMessage).toLowerCase())) {
          differences.add(e.getKey() + ": dockerd " + d[0] + " \"" + dMessage + "\", Berth " + b[0] + " \"" + bMessage
              + "\"");
        }
      }
      // storage opt: dockerd answers 500 for this user error; Berth 400, as the API reference says for bad parameters
      assertThat(differences).isEmpty();
    }
  }

  /** dockerd's message without its generic prefix ("invalid argument: ", "Error response…"). */
  private static String core(String message) {
    return message.replaceFirst("^(invalid argument|Invalid argument): ", "");
  }

  private static String[] create(Path socket, String body) {
    ProcessResult r = Commands.run(List.of("curl", "-s", "-w", "\n%{http_code}", "-X", "POST", "-H",
        "Content-Type: application/json", "-d", body, "--unix-socket", socket.toString(),
        "http://localhost/v1.41/containers/create"), Duration.ofSeconds(30));
    String s = r.stdout();
    int nl = s.lastIndexOf('\n');
    return new String[] {s.substring(nl + 1), s.substring(0, nl)};
  }

}
