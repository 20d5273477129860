package dev.berth.daemon.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.http.ServerIdentity;
import dev.berth.daemon.http.ServerTls;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over TLS (berthd's --tls certificates, made by bin/berth-certs): https only, a Secure cookie. */
class ConsoleTlsTest {
  @TempDir
  Path dir;

  @Test
  void overTlsTheConsoleAnswersHttpsOnlyAndItsCookieIsSecure() throws Exception {
    Path certs = dir.resolve("certs");
    Path script = Path.of("").toAbsolutePath().getParent().resolve("bin/berth-certs");
    Process p = new ProcessBuilder(script.toString(), certs.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Path s = certs.resolve("server");
    ServerTls tls = ServerTls.load(s.resolve("ca.pem"), s.resolve("cert.pem"), s.resolve("key.pem"), false);
    Dispatcher api = new Dispatcher(new Router().get("/_ping", (req, res) -> res.text(200, "text/plain", "OK")),
        ApiVersion.parse("1.24"), ApiVersion.parse("1.51"));
    try (Console console = Console.start(Console.parseAddress("127.0.0.1:0"), tls, dir.resolve("data"), api,
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"))) {
      assertThat(console.url().getScheme()).isEqualTo("https");
      String token = Files.readString(dir.resolve("data/console.token")).strip();
      SSLContext context = ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .trustManager(certs.resolve("ca.pem").toFile()).build()).context();
      try (HttpClient https = HttpClient.newBuilder().sslContext(context).build()) {
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(console.url().resolve("/?token=" + token))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure").contains("HTTPOnly");
        HttpResponse<String> ping = https.send(HttpRequest.newBuilder(console.url().resolve("/api/_ping"))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ping.body()).isEqualTo("OK");
      }
      URI plain = URI.create("http://127.0.0.1:" + console.url().getPort() + "/api/_ping");
      try (HttpClient http = HttpClient.newHttpClient()) {
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(IOException.class);
      }
    }
  }
}
