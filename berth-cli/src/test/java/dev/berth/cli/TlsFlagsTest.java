package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.client.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The docker CLI's TLS flags and environment, as the root command turns them into files. */
class TlsFlagsTest {
  @TempDir
  Path dir;

  private static TlsFiles tls(Map<String, String> env, String... args) {
    CommandLine cli = BerthCli.commandLine(args);
    cli.parseArgs(args);
    return BerthCli.from(cli.getCommandSpec()).tlsFiles(env);
  }

  @Test
  void noFlagAndNoEnvironmentMeansNoTls() {
    assertThat(tls(Map.of(), "-H", "tcp://127.0.0.1:2376", "ps")).isNull();
    assertThat(tls(Map.of("DOCKER_TLS_VERIFY", ""), "ps")).isNull();
  }

  @Test
  void dockerTlsVerifyAndCertPathPickTheFilesAndTheClientCertificateWhenBothFilesExist() throws Exception {
    assertThat(tls(Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", dir.toString()), "ps"))
        .isEqualTo(new TlsFiles(true, dir.resolve("ca.pem"), null, null));
    Files.writeString(dir.resolve("cert.pem"), "x");
    Files.writeString(dir.resolve("key.pem"), "x");
    assertThat(tls(Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", dir.toString()), "ps"))
        .isEqualTo(new TlsFiles(true, dir.resolve("ca.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem")));
  }

  @Test
  void flagsWinAndTlsAloneDoesNotVerify() {
    TlsFiles files = tls(Map.of("DOCKER_CERT_PATH", dir.toString()), "--tls", "--tlscacert", "/c/ca.pem",
        "--tlscert", "/c/cert.pem", "--tlskey", "/c/key.pem", "ps");
    assertThat(files).isEqualTo(new TlsFiles(false, Path.of("/c/ca.pem"), Path.of("/c/cert.pem"), Path.of("/c/key.pem")));
    assertThat(tls(Map.of(), "--tlsverify", "--tlscacert", "/c/ca.pem", "version").verify()).isTrue();
  }

  @Test
  void globalOptionValuesAreNotTakenForTheCommand() {
    assertThat(BerthCli.commandName(new String[] {"--tlscacert", "ca.pem", "--tlsverify", "-H", "tcp://h:1", "ps"}))
        .isEqualTo("ps");
  }
}
