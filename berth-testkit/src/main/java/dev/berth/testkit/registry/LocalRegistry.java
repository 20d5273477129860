package dev.berth.testkit.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real registry (Debian's {@code docker-registry}, Distribution 2.8) on a free 127.0.0.1 port
 * with its storage in a temp dir, for integration tests; optionally behind htpasswd basic auth.
 * Close it to stop the process.
 *
 * <p>It lives in the testkit (not in the engine's tests) so every module's tests can use it; the
 * registry client's integration tests are therefore in this module's {@code src/test}, since
 * the engine's tests cannot depend on the testkit.
 *
 * <p>The htpasswd file is made by {@code htpasswd -Bbn} from apache2-utils (bcrypt, as the
 * registry requires), so no bcrypt library is needed on the classpath.
 */
public final class LocalRegistry implements AutoCloseable {
  public static final String BINARY = "/usr/bin/docker-registry";
  private static final Duration STARTUP = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path dir;

  private LocalRegistry(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts an open registry with storage under {@code dir}. */
  public static LocalRegistry start(Path dir) {
    return start(dir, null);
  }

  /** Starts a registry that only answers to {@code username}/{@code password} (basic auth). */
  public static LocalRegistry startWithBasicAuth(Path dir, String username, String password) {
    return start(dir, htpasswd(dir, username, password));
  }

  private static LocalRegistry start(Path dir, Path htpasswd) {
    // A port found free can be taken before the registry binds it: try a few.
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        return launch(dir, htpasswd, port);
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  private static LocalRegistry launch(Path dir, Path htpasswd, int port) {
    try {
      Path storage = Files.createDirectories(dir.resolve("storage"));
      String auth = htpasswd == null ? "" : """
          auth:
            htpasswd:
              realm: basic-realm
              path: %s
          """.formatted(htpasswd);
      Path config = dir.resolve("config-" + port + ".yml");
      Files.writeString(config, """
          version: 0.1
          log:
            level: warn
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
          %s""".formatted(storage, port, auth));
      Path log = dir.resolve("registry-" + port + ".log");
      Process process = new ProcessBuilder(BINARY, "serve", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      LocalRegistry registry = new LocalRegistry(process, port, dir);
      registry.awaitReady(log);
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
  }

  /** Polls {@code GET /v2/} until it answers (200, or 401 behind auth), with a deadline. */
  private void awaitReady(Path log) throws IOException {
    Instant deadline = Instant.now().plus(STARTUP);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
          .timeout(Duration.ofSeconds(2)).build();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("docker-registry exited with " + process.exitValue()
              + ": " + Files.readString(log, StandardCharsets.UTF_8));
        }
        try {
          int status = http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
          if (status == 200 || status == 401) {
            return;
          }
        } catch (IOException notYet) {
          // Not listening yet.
        }
        if (Instant.now().isAfter(deadline)) {
          close();
          throw new IllegalStateException("docker-registry did not answer on " + host()
              + " within " + STARTUP + ": " + Files.readString(log, StandardCharsets.UTF_8));
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting docker-registry", e);
    }
  }

  /** {@code 127.0.0.1:<port>}, the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * The requests the registry has answered so far, from its access log: {@code "GET
   * /v2/app/manifests/1 200"}, in order. For counting what a client asked.
   */
  public java.util.List<String> requests() {
    java.util.regex.Pattern line = java.util.regex.Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" ([0-9]{3}) ");
    try {
      return Files.readAllLines(dir.resolve("registry-" + port + ".log"), StandardCharsets.UTF_8).stream()
          .map(line::matcher).filter(java.util.regex.Matcher::find)
          .map(m -> m.group(1) + " " + m.group(2) + " " + m.group(3)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the registry keeps its files and log. */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static Path htpasswd(Path dir, String username, String password) {
    try {
      Files.createDirectories(dir);
      Process p = new ProcessBuilder("htpasswd", "-Bbn", username, password)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("htpasswd failed with " + p.exitValue());
      }
      Path file = dir.resolve("htpasswd");
      Files.write(file, out);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run htpasswd; install it with 'apt-get install -y apache2-utils'", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running htpasswd", e);
    }
  }
}
