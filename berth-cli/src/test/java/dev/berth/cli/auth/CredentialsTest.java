package dev.berth.cli.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @TempDir Path dir;

  @Test
  void readsDockerWrittenFile() throws IOException {
    Path file = dir.resolve("config.json");
    // What docker login writes: base64("alice:s3cr:et") and the Hub's legacy key.
    Files.writeString(file, """
        {"auths": {
           "https://index.docker.io/v1/": {"auth": "Ym9iOmh1YnBhc3M="},
           "localhost:5000": {"auth": "YWxpY2U6czNjcjpldA=="},
           "https://quay.io": {"auth": "cTpx"}
         },
         "credsStore": "desktop"}
        """);
    Credentials credentials = new Credentials(file);

    assertThat(credentials.get("localhost:5000")).contains(new Credentials.Login("alice", "s3cr:et"));
    assertThat(credentials.get("docker.io")).contains(new Credentials.Login("bob", "hubpass"));
    assertThat(credentials.get("quay.io")).contains(new Credentials.Login("q", "q"));
    assertThat(credentials.get("example.com")).isEmpty();
  }

  @Test
  void missingFileMeansNoLogins() {
    assertThat(new Credentials(dir.resolve("nope/config.json")).get("docker.io")).isEmpty();
  }

  @Test
  void putAndRemoveKeepOtherKeysAndWriteMode0600() throws IOException {
    Path file = dir.resolve("docker/config.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"credsStore\":\"x\",\"auths\":{\"other:1\":{\"auth\":\"YTpi\"}}}");
    Credentials credentials = new Credentials(file);

    credentials.put("localhost:5000", new Credentials.Login("u", "p"));
    credentials.put("docker.io", new Credentials.Login("hub", "pw"));

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    var json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.path("credsStore").asText()).isEqualTo("x");
    assertThat(json.path("auths").path("localhost:5000").path("auth").asText()).isEqualTo("dTpw");
    assertThat(json.path("auths").has("https://index.docker.io/v1/")).isTrue();
    assertThat(credentials.get("other:1")).contains(new Credentials.Login("a", "b"));
    assertThat(credentials.get("docker.io")).contains(new Credentials.Login("hub", "pw"));

    assertThat(credentials.remove("localhost:5000")).isTrue();
    assertThat(credentials.remove("localhost:5000")).isFalse();
    assertThat(credentials.get("localhost:5000")).isEmpty();
    assertThat(credentials.get("other:1")).isPresent();
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config.json");
    }
  }

  @Test
  void corruptFileIsAClearError() throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"auths\":{\"h\":{\"auth\":\"bm9jb2xvbg==\"}}}"); // "nocolon"
    assertThatThrownBy(() -> new Credentials(file).get("h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("user:password");
    Files.writeString(file, "[1]");
    assertThatThrownBy(() -> new Credentials(file).get("h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void locationFollowsDockerConfig() {
    Path home = Path.of("/home/u");
    assertThat(Credentials.fromEnvironment(Map.of("DOCKER_CONFIG", "/etc/dc"), home).file())
        .isEqualTo(Path.of("/etc/dc/config.json"));
    assertThat(Credentials.fromEnvironment(Map.of(), home).file())
        .isEqualTo(Path.of("/home/u/.docker/config.json"));
  }
}
