package dev.berth.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConnectorTest {
  @TempDir
  Path dir;

  private void openssl(String... args) throws Exception {
    Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void readsPkcs8KeysOfEcAndRsa() throws Exception {
    openssl("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir.resolve("ec.pem").toString());
    openssl("openssl", "genpkey", "-algorithm", "RSA", "-out", dir.resolve("rsa.pem").toString());
    assertThat(TlsConnector.privateKey(dir.resolve("ec.pem")).getAlgorithm()).isEqualTo("EC");
    assertThat(TlsConnector.privateKey(dir.resolve("rsa.pem")).getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void aPkcs1KeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path key = dir.resolve("rsa1.pem");
    openssl("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
    assertThatThrownBy(() -> TlsConnector.privateKey(key))
        .hasMessageContaining("RSA PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + key);
  }

  @Test
  void aMissingCaIsNamed() {
    assertThatThrownBy(() -> TlsConnector.of(new TlsFiles(true, dir.resolve("ca.pem"), null, null)))
        .hasMessage("cannot load the TLS files: " + dir.resolve("ca.pem") + " does not exist");
  }
}
