package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming server driven by a real Go client, kubectl (client-go's SPDY and WebSocket
 * executors and port-forwarder), through {@link KubeApiShim} in front of an engine in this JVM:
 * exec over WebSocket v5 (kubectl's default) and over SPDY, attach, and port-forward to a busybox
 * httpd on the pod's loopback.
 */
@Tag("integration")
class KubectlStreamingIT {
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

  @TempDir
  static Path dir;

  static StreamingEngine h;
  static KubeApiShim api;
  static String sleeper;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed");
    h = StreamingEngine.start(dir);
    sleeper = h.run("sleeper", false, false, "sleep", "3600");
    String web = h.run("web", false, false, "sh", "-c",
        "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www");
    String cat = h.run("cat", false, true, "sh", "-c", "cat; echo stdin-closed");
    api = new KubeApiShim(h.server, Map.of("sleeper", sleeper, "web", web, "cat", cat));
  }

  @AfterAll
  static void stop() throws IOException {
    if (api != null) {
      api.close();
    }
    if (h != null) {
      h.close();
    }
  }

  private static List<String> kubectl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--server", api.url()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Map<String, String> env(boolean websockets) {
    return Map.of("KUBECONFIG", dir.resolve("no-kubeconfig").toString(),
        "KUBECTL_REMOTE_COMMAND_WEBSOCKETS", Boolean.toString(websockets),
        "KUBECTL_PORT_FORWARD_WEBSOCKETS", Boolean.toString(websockets));
  }

  private static ProcessResult run(boolean websockets, String input, String... args) throws IOException {
    Path stdin = Files.writeString(Files.createTempFile(dir, "stdin", ""), input);
    return Commands.run(kubectl(args), env(websockets), stdin, Duration.ofSeconds(60));
  }

  @Test
  void execOverWebSocketsPassesStdinOutputAndTheExitCode() throws IOException {
    int before = api.upgrades.size();
    ProcessResult r = run(true, "typed in\n", "exec", "-i", "sleeper", "--", "sh", "-c",
        "cat; echo to-stderr >&2; exit 3");
    assertThat(r.stdout()).as(r.toString()).isEqualTo("typed in\n");
    assertThat(r.stderr()).as(r.toString()).contains("to-stderr\n", "command terminated with exit code 3");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(api.upgrades.subList(before, api.upgrades.size())).containsExactly("websocket");
  }

  @Test
  void execOverSpdyPassesStdinOutputAndTheExitCode() throws IOException {
    int before = api.upgrades.size();
    ProcessResult r = run(false, "typed in\n", "exec", "-i", "sleeper", "--", "sh", "-c",
        "cat; echo to-stderr >&2; exit 4");
    assertThat(r.stdout()).as(r.toString()).isEqualTo("typed in\n");
    assertThat(r.stderr()).as(r.toString()).contains("to-stderr\n", "command terminated with exit code 4");
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(api.upgrades.subList(before, api.upgrades.size())).containsExactly("SPDY/3.1");
  }

  @Test
  void megabytesFlowBothWaysOverBothTransports() throws IOException {
    // more than SPDY's 64 KiB window and than a connection's 1 MiB read budget: neither side stalls
    String input = "a".repeat(3 << 20);
    for (boolean websockets : List.of(false, true)) {
      ProcessResult in = run(websockets, input, "exec", "-i", "sleeper", "--", "wc", "-c");
      assertThat(in.stdout().strip()).as("websockets=%s: %s", websockets, in.stderr()).isEqualTo(Integer.toString(3 << 20));
      ProcessResult out = run(websockets, "", "exec", "sleeper", "--", "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x");
      assertThat(out.stdout()).as("websockets=%s: %s", websockets, out.stderr()).hasSize(3_000_000).matches("x+");
    }
  }

  @Test
  void execOfAMissingCommandFailsAsKubeletsDoes() throws IOException {
    ProcessResult r = run(false, "", "exec", "sleeper", "--", "no-such-command");
    assertThat(r.exitCode()).as(r.toString()).isNotZero();
    assertThat(r.stdout() + r.stderr()).contains("no-such-command");
  }

  @Test
  void attachOverSpdyConnectsToTheContainersOwnStdio() throws IOException {
    ProcessResult r = run(false, "to the container\n", "attach", "-i", "cat");
    assertThat(r.stdout()).as(r.toString()).contains("to the container\n", "stdin-closed\n");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  @Test
  void portForwardServesThePodsLoopback() throws Exception {
    for (boolean websockets : List.of(false, true)) {
      int before = api.upgrades.size();
      ProcessBuilder pb = new ProcessBuilder(kubectl("port-forward", "--address", "127.0.0.1", "web", ":8080"))
          .redirectErrorStream(true);
      pb.environment().putAll(env(websockets));
      Process p = pb.start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> localPort = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread.ofVirtual().start(() -> {
          Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
          try {
            for (String line; (line = out.readLine()) != null; ) {
              synchronized (output) {
                output.append(line).append('\n');
              }
              Matcher m = forwarding.matcher(line);
              if (m.find()) {
                localPort.complete(Integer.parseInt(m.group(1)));
              }
            }
          } catch (IOException ignored) {
            // kubectl ended
          }
          localPort.completeExceptionally(new AssertionError("kubectl port-forward said: " + output));
        });
        int port = localPort.get(30, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String[] body = new String[1];
        // httpd may still be starting in the container: ask until it answers
        boolean served = Poll.until(Duration.ofSeconds(30), () -> {
          try {
            body[0] = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body[0].contains("hello-from-the-pod");
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
        assertThat(served).as("page through kubectl port-forward (websockets=%s); body %s; kubectl said: %s",
            websockets, body[0], output).isTrue();
        assertThat(api.upgrades.subList(before, api.upgrades.size())).contains(websockets ? "websocket" : "SPDY/3.1");
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}
