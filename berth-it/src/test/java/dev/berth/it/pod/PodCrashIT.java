package dev.berth.it.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.Engine;
import dev.berth.engine.pod.ExecSyncResult;
import dev.berth.engine.pod.PodContainerState;
import dev.berth.engine.pod.SandboxFilter;
import dev.berth.engine.pod.SandboxState;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berthd SIGKILLed with two pods running: a child JVM opens the engine as berthd does, runs the
 * pods and is killed; the engine opened again on the same dirs reports both sandboxes ready and
 * their containers running (conmon kept them), and stops and removes them cleanly.
 */
@Tag("integration")
class PodCrashIT {
  @TempDir
  Path dir;

  @Test
  void twoPodsAreReconciledAfterTheEngineIsKilled() throws Exception {
    Path root = dir.resolve("crash");
    HostNetwork net = HostNetwork.forDaemon(root.resolve("data"));
    String[] o = net.bip().split("[./]");
    String subnet = o[0] + "." + o[1] + "." + (Integer.parseInt(o[2]) + 1) + ".0/24";
    String bridge = "bp" + net.bridge().substring(2);
    Engine engine = null;
    Process child = null;
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    try {
      String image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
          .pushTo(registry.host() + "/test/busybox:latest");
      Files.createDirectories(root.resolve("cni-conf"));
      String java = ProcessHandle.current().info().command().orElse("java");
      child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), PodCrashChild.class.getName(), root.toString(), registry.host(), image,
          subnet, bridge).redirectError(dir.resolve("child.err").toFile()).start();
      Process running = child;
      CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(running.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith("READY")) {
              return line;
            }
          }
          return "";
        } catch (IOException e) {
          return "";
        }
      });
      String line = ready.get(120, TimeUnit.SECONDS);
      assertThat(line).as("the child's pods (stderr: %s)", dir.resolve("child.err")).startsWith("READY ");
      String[] ids = line.split(" ");
      child.destroyForcibly(); // SIGKILL, as a crash
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

      engine = PodCrashChild.open(root, registry.host(), subnet, bridge);
      var pods = engine.pods();
      assertThat(pods.listSandboxes(SandboxFilter.ALL)).hasSize(2)
          .allSatisfy(p -> assertThat(p.state()).isEqualTo(SandboxState.READY));
      for (int i = 1; i < ids.length; i += 2) {
        String sid = ids[i];
        String cid = ids[i + 1];
        assertThat(pods.sandboxStatus(sid).ip()).startsWith(subnet.substring(0, subnet.lastIndexOf('.') + 1));
        assertThat(pods.containerStatus(cid).state()).isEqualTo(PodContainerState.RUNNING);
        assertThat(pods.containerStatus(cid).labels()).containsOnlyKeys("c");
        ExecSyncResult r = pods.execSync(cid, List.of("hostname"), Duration.ofSeconds(10));
        assertThat(new String(r.stdout(), StandardCharsets.UTF_8).strip()).isIn("one", "two");
      }
      for (int i = 1; i < ids.length; i += 2) {
        pods.stopSandbox(ids[i]);
        assertThat(pods.containerStatus(ids[i + 1]).state()).isEqualTo(PodContainerState.EXITED);
        pods.removeSandbox(ids[i]);
      }
      assertThat(pods.listSandboxes(SandboxFilter.ALL)).isEmpty();
      assertThat(engine.containers().list()).isEmpty();
      try (var left = Files.list(root.resolve("exec/pods/netns"))) {
        assertThat(left.toList()).isEmpty();
      }
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      if (engine == null && Files.isDirectory(root.resolve("data"))) {
        try {
          engine = PodCrashChild.open(root, registry.host(), subnet, bridge); // to remove what the child left
        } catch (RuntimeException ignored) {
          // Leftovers below is the last resort
        }
      }
      if (engine != null) {
        for (var s : engine.pods().listSandboxes(SandboxFilter.ALL)) {
          try {
            engine.pods().removeSandbox(s.id());
          } catch (RuntimeException ignored) {
            // best effort
          }
        }
        engine.close();
      }
      registry.close();
      net.cleanUp();
      new ProcessBuilder("ip", "link", "delete", bridge).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
      Leftovers.removeUnder(dir);
    }
  }
}
