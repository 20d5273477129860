package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP listeners over TLS, with certificates made by bin/berth-certs (openssl). */
class ApiServerTlsTest {
  @TempDir
  static Path certs;

  private ApiServer server;

  @BeforeAll
  static void makeCertificates() throws Exception {
    berthCerts(certs.resolve("good"));
    berthCerts(certs.resolve("other"));
  }

  static void berthCerts(Path dir) throws Exception {
    Path script = Path.of("").toAbsolutePath().getParent().resolve("bin/berth-certs");
    Process p = new ProcessBuilder(script.toString(), dir.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private URI start(boolean verifyClients) throws Exception {
    Path s = certs.resolve("good/server");
    Router router = new Router()
        .get("/_ping", (req, res) -> res.text(200, "text/plain", "OK"))
        .post("/shout", (req, res) -> {
          RawStream raw = res.hijack("application/vnd.docker.raw-stream");
          byte[] in = raw.input().readAllBytes();
          raw.output().write(new String(in, java.nio.charset.StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT)
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          raw.closeOutput();
        });
    server = new ApiServer(new Dispatcher(router,
        ApiVersion.parse("1.24"), ApiVersion.parse("1.51")), new ServerIdentity("Berth/test (linux)", "1.51", "linux"),
        new ApiServer.Options(ServerTls.load(s.resolve("ca.pem"), s.resolve("cert.pem"), s.resolve("key.pem"),
            verifyClients), null));
    ListenAddress.Tcp tcp = (ListenAddress.Tcp) server.listen("tcp://127.0.0.1:0");
    return URI.create("https://127.0.0.1:" + tcp.port() + "/_ping");
  }

  /** A client trusting the good CA, presenting the certificate in {@code clientDir} (null: none). */
  private static HttpResponse<String> ping(URI uri, Path clientDir) throws Exception {
    SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .trustManager(certs.resolve("good/ca.pem").toFile());
    if (clientDir != null) {
      b.keyManager(clientDir.resolve("cert.pem").toFile(), clientDir.resolve("key.pem").toFile());
    }
    SSLContext context = ((JdkSslContext) b.build()).context();
    try (HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build()) {
      return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void mutualTlsServesAClientWithACertificateFromTheCa() throws Exception {
    URI uri = start(true);
    HttpResponse<String> r = ping(uri, certs.resolve("good/client"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("OK");
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateOrWithOneOfAnotherCa() throws Exception {
    URI uri = start(true);
    assertThatThrownBy(() -> ping(uri, null)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ping(uri, certs.resolve("other/client"))).isInstanceOf(IOException.class);
  }

  /**
   * The end of a hijacked client's input over TLS, both ways clients send it: a close_notify
   * (Java's SSLSocket.shutdownOutput) and a bare TCP FIN under the TLS layer (the docker CLI's
   * CloseWrite); the answer still arrives and ends.
   */
  @Test
  void aHijackedConnectionSeesTheEndOfInputOverTls() throws Exception {
    URI uri = start(true);
    for (boolean bareFin : new boolean[] {false, true}) {
      SSLContext context = ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .trustManager(certs.resolve("good/ca.pem").toFile())
          .keyManager(certs.resolve("good/client/cert.pem").toFile(), certs.resolve("good/client/key.pem").toFile())
          .build()).context();
      try (java.net.Socket tcp = new java.net.Socket("127.0.0.1", uri.getPort());
          javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory()
              .createSocket(tcp, "127.0.0.1", uri.getPort(), true)) {
        tls.setSoTimeout(10_000);
        tls.getOutputStream().write(("POST /shout HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n"
            + "Content-Length: 0\r\n\r\n").getBytes());
        java.io.InputStream in = tls.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
          head.append((char) in.read());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101 ");
        tls.getOutputStream().write("quiet".getBytes());
        tls.getOutputStream().flush();
        if (bareFin) {
          tcp.shutdownOutput();
        } else {
          tls.shutdownOutput();
        }
        assertThat(new String(in.readAllBytes())).as(bareFin ? "after a bare FIN" : "after a close_notify")
            .isEqualTo("QUIET");
      }
    }
  }

  @Test
  void tlsWithoutVerifyServesClientsWithoutCertificates() throws Exception {
    URI uri = start(false);
    assertThat(ping(uri, null).statusCode()).isEqualTo(200);
  }

  @Test
  void unreadableFilesAreAClearErrorNamingTheFlag() {
    Path missing = certs.resolve("nowhere");
    assertThatThrownBy(() -> ServerTls.load(missing.resolve("ca.pem"), missing.resolve("cert.pem"),
        missing.resolve("key.pem"), true))
        .hasMessageContaining("--tlscert").hasMessageContaining("cannot be read");
    Path s = certs.resolve("good/server");
    // A certificate where the key should be.
    assertThatThrownBy(() -> ServerTls.load(s.resolve("ca.pem"), s.resolve("cert.pem"), s.resolve("cert.pem"), true))
        .hasMessageContaining("cannot load the TLS certificate");
  }

  @Test
  void pkcs1RsaKeysAreReadToo() throws Exception {
    Path dir = certs.resolve("rsa");
    java.nio.file.Files.createDirectories(dir);
    Path ca = certs.resolve("good");
    run(List.of("openssl", "genrsa", "-traditional", "-out", dir.resolve("key.pem").toString(), "2048"));
    assertThat(java.nio.file.Files.readString(dir.resolve("key.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    run(List.of("openssl", "req", "-new", "-key", dir.resolve("key.pem").toString(), "-subj", "/CN=rsa",
        "-out", dir.resolve("csr.pem").toString()));
    Path ext = java.nio.file.Files.writeString(dir.resolve("ext"), "subjectAltName=IP:127.0.0.1\n");
    run(List.of("openssl", "x509", "-req", "-in", dir.resolve("csr.pem").toString(), "-CA", ca.resolve("ca.pem").toString(),
        "-CAkey", ca.resolve("ca-key.pem").toString(), "-CAcreateserial", "-CAserial", dir.resolve("srl").toString(),
        "-extfile", ext.toString(), "-out", dir.resolve("cert.pem").toString()));
    server = new ApiServer(new Dispatcher(new Router().get("/_ping", (req, res) -> res.text(200, "text/plain", "OK")),
        ApiVersion.parse("1.24"), ApiVersion.parse("1.51")), new ServerIdentity("Berth/test (linux)", "1.51", "linux"),
        new ApiServer.Options(ServerTls.load(ca.resolve("ca.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"), true), null));
    ListenAddress.Tcp tcp = (ListenAddress.Tcp) server.listen("tcp://127.0.0.1:0");
    assertThat(ping(URI.create("https://127.0.0.1:" + tcp.port() + "/_ping"), ca.resolve("client")).statusCode())
        .isEqualTo(200);
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
