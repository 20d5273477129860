package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.CriDaemon;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crictl (cri-tools v1.32), the CRI's command line, drives a pod by hand through berthd's CRI
 * socket: the runtime's identity, images, a sandbox with a container in it, exec (ExecSync), logs,
 * stats, and the way back; the pod and its container are Berth containers that {@code berth ps -a}
 * lists with their Kubernetes labels.
 */
@Tag("integration")
class CrictlIT {
  @TempDir
  static Path dir;
  static CriDaemon cri;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(CriDaemon.findTools().isPresent(),
        "no cri-tools (crictl): set BERTH_CRI_TOOLS or -Dberth.cri.tools to the directory holding crictl");
    cri = CriDaemon.start(dir.resolve("cri"), false, false, List.of());
  }

  @AfterAll
  static void stop() {
    if (cri != null) {
      cri.close();
    }
  }

  private static String ok(String... args) {
    ProcessResult r = cri.crictl(args);
    assertThat(r.exitCode()).as("crictl %s: %s\nberthd log:\n%s", String.join(" ", args), r, tail(cri.daemon().log()))
        .isZero();
    return r.stdout().strip();
  }

  private static String tail(String log) {
    return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
  }

  @Test
  void versionAndStatusNameBerthAndItsConditions() {
    String version = ok("version");
    assertThat(version).contains("RuntimeName:  berth").contains("RuntimeApiVersion:  v1");
    String info = ok("info");
    assertThat(info).contains("\"type\": \"RuntimeReady\"").contains("\"type\": \"NetworkReady\"");
    assertThat(ok("info", "-o", "go-template", "--template",
        "{{range .status.conditions}}{{.type}}={{.status}} {{end}}")).contains("RuntimeReady=true");
  }

  @Test
  void imagesArePulledListedInspectedAndRemoved() {
    String image = cri.busyboxImage();
    ok("pull", image);
    assertThat(ok("images")).contains(cri.registry().host() + "/test/busybox");
    assertThat(ok("inspecti", image)).contains("\"imageSpec\"").contains("\"repoTags\"");
    assertThat(ok("imagefsinfo")).contains("usedBytes");
    // the Docker API sees the same store
    assertThat(Commands.berth(cri.daemon().host(), "images").stdout()).contains(cri.registry().host() + "/test/busybox");
    ok("rmi", image);
    assertThat(ok("images")).doesNotContain(cri.registry().host() + "/test/busybox");
  }

  @Test
  void aPodRunsAContainerThatExecsLogsAndStopsAndIsRemoved() throws Exception {
    String image = cri.busyboxImage();
    ok("pull", image);
    Path pod = dir.resolve("pod.json");
    // kubelet's PID mode for a pod without shareProcessNamespace: no infra container (decision 2100)
    Files.writeString(pod, """
        {"metadata": {"name": "crictl-it", "namespace": "default", "uid": "crictl-it-uid", "attempt": 1},
         "hostname": "crictl-it", "log_directory": "%s", "labels": {"app": "crictl-it"}, 
         "linux": {"security_context": {"namespace_options": {"pid": 1}}}}
        """.formatted(Files.createDirectories(dir.resolve("logs"))));
    Path ctr = dir.resolve("ctr.json");
    Files.writeString(ctr, """
        {"metadata": {"name": "sleeper"}, "image": {"image": "%s"},
         "command": ["sh", "-c", "echo hello-from-the-pod; exec sleep 3600"],
         "labels": {"role": "sleeper"}, "log_path": "sleeper.0.log", "linux": {}}
        """.formatted(image));

    String podId = ok("runp", pod.toString());
    assertThat(ok("pods", "-q")).contains(podId);
    assertThat(ok("pods", "--name", "crictl-it")).contains("Ready");
    String ctrId = ok("create", podId, ctr.toString(), pod.toString());
    ok("start", ctrId);
    assertThat(ok("ps", "-q")).contains(ctrId);
    assertThat(ok("ps", "--name", "sleeper")).contains("Running");

    assertThat(ok("exec", "-s", ctrId, "echo", "synced")).isEqualTo("synced");
    assertThat(ok("exec", "-s", ctrId, "hostname")).isEqualTo("crictl-it");
    // exec without -s, exec -it, attach and port-forward go through the streaming server: cri-stream's CrictlStreamingIT
    assertThat(Poll.until(Duration.ofSeconds(10), () -> cri.crictl("logs", ctrId).stdout().contains("hello-from-the-pod")))
        .as("crictl logs").isTrue();
    assertThat(Files.readString(dir.resolve("logs/sleeper.0.log"))).contains("stdout F hello-from-the-pod");
    assertThat(ok("stats", "-o", "json", ctrId)).contains(ctrId).contains("workingSetBytes");
    assertThat(ok("statsp", "-o", "json", podId)).contains(podId);

    // the same container through the Docker API, with its Kubernetes labels; the pod itself has no
    // infra container to list (its PID mode is kubelet's CONTAINER: decision 2100)
    ProcessResult ps = Commands.berth(cri.daemon().host(), "ps", "-a", "--no-trunc", "--format",
        "{{.ID}} {{.Labels}}");
    assertThat(ps.stdout()).contains(ctrId).contains("dev.berth.pod.sandbox=" + podId)
        .contains("io.kubernetes.pod.name=crictl-it").contains("role=sleeper");
    assertThat(ps.stdout().lines()).noneMatch(l -> l.startsWith(podId));

    ok("stop", "--timeout", "2", ctrId);
    assertThat(ok("ps", "-a", "--name", "sleeper")).contains("Exited");
    ok("rm", ctrId);
    assertThat(ok("ps", "-a", "-q")).doesNotContain(ctrId);
    ok("stopp", podId);
    assertThat(ok("pods", "--name", "crictl-it")).contains("NotReady");
    ok("rmp", podId);
    assertThat(ok("pods", "-q")).doesNotContain(podId);
    // stopped again: idempotent, as kubelet expects (crictl's rmp asks for the status first, so it cannot show it)
    ok("stopp", podId);
  }
}
