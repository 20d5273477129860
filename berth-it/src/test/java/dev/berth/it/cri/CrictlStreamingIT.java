package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.CriDaemon;
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
 * crictl's streaming commands against a real berthd's CRI socket and streaming server: exec (SPDY
 * and WebSocket, with stdin, exit codes and a TTY), attach, port-forward (SPDY and WebSocket) to a
 * busybox httpd on the pod's loopback.
 */
@Tag("integration")
class CrictlStreamingIT {
  @TempDir
  static Path dir;
  static CriDaemon cri;
  static String podId;
  static String web;
  static String cat;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(CriDaemon.findTools().isPresent(),
        "no cri-tools (crictl): set BERTH_CRI_TOOLS or -Dberth.cri.tools to the directory holding crictl");
    cri = CriDaemon.start(dir.resolve("cri"), false, false, List.of());
    // berthd answers on its Docker socket first; the CRI socket follows
    assertThat(Poll.until(Duration.ofSeconds(60), () -> Files.exists(cri.criSocket()))).as("cri.sock").isTrue();
    String image = cri.busyboxImage();
    ok(null, "pull", image);
    Path pod = dir.resolve("pod.json");
    // kubelet's PID mode for a pod without shareProcessNamespace: no infra container (decision 2100)
    Files.writeString(pod, """
        {"metadata": {"name": "streaming-it", "namespace": "default", "uid": "streaming-it-uid", "attempt": 1},
         "hostname": "streaming-it", "log_directory": "%s", 
         "linux": {"security_context": {"namespace_options": {"pid": 1}}}}
        """.formatted(Files.createDirectories(dir.resolve("logs"))));
    podId = ok(null, "runp", pod.toString());
    Path webJson = dir.resolve("web.json");
    Files.writeString(webJson, """
        {"metadata": {"name": "web"}, "image": {"image": "%s"},
         "command": ["sh", "-c", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"],
         "log_path": "web.0.log", "linux": {}}
        """.formatted(image));
    web = ok(null, "create", podId, webJson.toString(), pod.toString());
    ok(null, "start", web);
    Path catJson = dir.resolve("cat.json");
    Files.writeString(catJson, """
        {"metadata": {"name": "cat"}, "image": {"image": "%s"}, "stdin": true, "stdin_once": true,
         "command": ["sh", "-c", "cat; echo stdin-closed"], "log_path": "cat.0.log", "linux": {}}
        """.formatted(image));
    cat = ok(null, "create", podId, catJson.toString(), pod.toString());
    ok(null, "start", cat);
  }

  @AfterAll
  static void stop() {
    if (cri != null) {
      cri.close();
    }
  }

  private static ProcessResult crictl(String input, String... args) throws IOException {
    if (input == null) {
      return cri.crictl(args);
    }
    Path stdin = Files.writeString(Files.createTempFile(dir, "stdin", ""), input);
    return Commands.run(cri.crictlCommand(args), Map.of(), stdin, Duration.ofMinutes(2));
  }

  private static String ok(String input, String... args) throws IOException {
    ProcessResult r = crictl(input, args);
    assertThat(r.exitCode()).as("crictl %s: %s", String.join(" ", args), r).isZero();
    return r.stdout().strip();
  }

  @Test
  void execOverSpdyAndWebSocketPassesStdinOutputAndTheExitCode() throws IOException {
    for (String transport : List.of("spdy", "websocket")) {
      assertThat(ok("typed in\n", "exec", "--transport", transport, "-i", web, "cat")).isEqualTo("typed in");
      ProcessResult r = crictl(null, "exec", "--transport", transport, web, "sh", "-c", "echo out; echo err >&2; exit 3");
      assertThat(r.stdout()).as(transport + ": " + r).isEqualTo("out\n");
      // crictl reads the exit code from the status and reports it, but exits 1 itself
      assertThat(r.stderr()).as(transport + ": " + r).contains("err\n", "command terminated with exit code 3");
      assertThat(r.exitCode()).as(transport + ": " + r).isEqualTo(1);
    }
  }

  @Test
  void execWithATtyHasATerminalOfTheClientsSize() {
    // script gives crictl a terminal of 33 rows and 111 columns
    ProcessResult r = Commands.run(List.of("script", "-qec", "stty rows 33 cols 111; "
        + String.join(" ", cri.crictlCommand("exec", "-it", web, "sh", "-c", "tty; stty size")), "/dev/null"),
        Duration.ofMinutes(2));
    assertThat(r.stdout()).as(r.toString()).contains("/dev/pts/").contains("33 111");
  }

  @Test
  void attachConnectsToTheContainersStdio() throws IOException {
    String out = ok("to the container\n", "attach", "-i", cat);
    assertThat(out).contains("to the container").contains("stdin-closed");
  }

  @Test
  void portForwardServesThePodsLoopback() throws Exception {
    for (String transport : List.of("spdy", "websocket")) {
      List<String> cmd = new ArrayList<>(cri.crictlCommand("port-forward", "--transport", transport, podId, ":8080"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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
            // crictl ended
          }
          localPort.completeExceptionally(new AssertionError("crictl port-forward said: " + output));
        });
        int port = localPort.get(30, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String[] body = new String[1];
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
        assertThat(served).as("page through crictl port-forward --transport %s; body %s; crictl said: %s",
            transport, body[0], output).isTrue();
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}
