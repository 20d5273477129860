package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.CriDaemon;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berthd itself SIGKILLed with two pods running, driven through its CRI socket by crictl (issue
 * 15's acceptance): one pod in kubelet's default PID mode (no infra container, namespaces bound by
 * berthd: decision 2100) and one sharing its PID namespace (an infra container: decision 1000).
 * A new berthd on the same roots lists both sandboxes ready with their IPs and both containers
 * running; exec works; they stop and remove cleanly, leaving no container, namespace file or mount.
 */
@Tag("integration")
class CriCrashIT {
  @TempDir
  Path dir;

  @Test
  void twoPodsSurviveABerthdCrashAndStopAndRemoveCleanly() throws Exception {
    Assumptions.assumeTrue(CriDaemon.findTools().isPresent(),
        "no cri-tools (crictl): set BERTH_CRI_TOOLS or -Dberth.cri.tools to the directory holding crictl");
    try (CriDaemon cri = CriDaemon.start(dir.resolve("cri"), false, false, List.of())) {
      ok(cri, "pull", cri.busyboxImage());
      // name -> PID mode: 1 = CONTAINER (kubelet's default), 0 = POD (shareProcessNamespace)
      Map<String, Integer> modes = Map.of("crash-pinned", 1, "crash-infra", 0);
      Map<String, String> pods = new java.util.TreeMap<>();
      Map<String, String> containers = new java.util.TreeMap<>();
      Map<String, String> ips = new java.util.TreeMap<>();
      for (var m : modes.entrySet()) {
        String name = m.getKey();
        CriDaemon.Pod pod = cri.runPod(name, m.getValue() == 0);
        String podId = pod.id();
        String ctrId = cri.startContainer(pod, """
            {"metadata": {"name": "sleeper"}, "image": {"image": "%s"}, "command": ["sleep", "3600"],
             "log_path": "sleeper.0.log", "linux": {"security_context": {"namespace_options": {"pid": %d}}}}
            """.formatted(cri.busyboxImage(), m.getValue()));
        pods.put(name, podId);
        containers.put(name, ctrId);
        ips.put(name, ok(cri, "inspectp", "-o", "go-template", "--template", "{{.status.network.ip}}", podId));
        assertThat(ips.get(name)).as("%s's IP", name).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
      }

      cri.crashAndRestart();

      assertThat(ok(cri, "pods", "-q", "--state", "ready").lines().toList())
          .containsExactlyInAnyOrderElementsOf(pods.values());
      assertThat(ok(cri, "ps", "-q", "--state", "running").lines().toList())
          .containsExactlyInAnyOrderElementsOf(containers.values());
      for (String name : modes.keySet()) {
        String podId = pods.get(name);
        String ctrId = containers.get(name);
        assertThat(ok(cri, "inspectp", "-o", "go-template", "--template", "{{.status.state}} {{.status.network.ip}}",
            podId)).isEqualTo("SANDBOX_READY " + ips.get(name));
        assertThat(ok(cri, "inspect", "-o", "go-template", "--template", "{{.status.state}}", ctrId))
            .isEqualTo("CONTAINER_RUNNING");
        assertThat(ok(cri, "ps", "-q", "--pod", podId)).isEqualTo(ctrId);
        assertThat(ok(cri, "exec", "-s", ctrId, "hostname")).isEqualTo(name);
        assertThat(ok(cri, "exec", "-s", ctrId, "ip", "-4", "-o", "addr", "show", "eth0")).contains(ips.get(name) + "/");
      }

      for (String name : modes.keySet()) {
        ok(cri, "stopp", pods.get(name));
        assertThat(ok(cri, "inspect", "-o", "go-template", "--template", "{{.status.state}}", containers.get(name)))
            .isEqualTo("CONTAINER_EXITED");
        assertThat(ok(cri, "inspectp", "-o", "go-template", "--template", "{{.status.state}}", pods.get(name)))
            .isEqualTo("SANDBOX_NOTREADY");
        ok(cri, "rmp", pods.get(name));
      }
      assertThat(ok(cri, "pods", "-q")).isEmpty();
      assertThat(ok(cri, "ps", "-a", "-q")).isEmpty();
      ProcessResult ps = Commands.berth(cri.daemon().host(), "ps", "-a", "-q");
      assertThat(ps.stdout().strip()).as("berth ps -a").isEmpty();
      for (String kind : List.of("netns", "ipcns", "utsns", "shm")) {
        Path d = cri.daemon().execRoot().resolve("pods").resolve(kind);
        if (Files.isDirectory(d)) {
          try (var left = Files.list(d)) {
            assertThat(left.toList()).as(kind + " files").isEmpty();
          }
        }
      }
      String root = cri.daemon().execRoot().resolve("pods").toString();
      assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(l -> l.contains(root));
    }
  }

  private static String ok(CriDaemon cri, String... args) {
    ProcessResult r = cri.crictl(args);
    String log = cri.daemon().log();
    assertThat(r.exitCode()).as("crictl %s: %s\nberthd log:\n%s", String.join(" ", args), r,
        log.length() > 6000 ? log.substring(log.length() - 6000) : log).isZero();
    return r.stdout().strip();
  }
}
