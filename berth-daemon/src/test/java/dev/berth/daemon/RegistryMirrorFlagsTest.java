package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.image.registry.RegistryMirrors;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** berthd's --registry-mirror and daemon.json's registry-mirrors, in both of its forms. */
class RegistryMirrorFlagsTest {
  @TempDir Path dir;

  private RegistryMirrors resolve(String json, String... args) throws Exception {
    Path file = dir.resolve("daemon.json");
    Files.writeString(file, json);
    List<String> all = new ArrayList<>(List.of("--config-file", file.toString()));
    all.addAll(List.of(args));
    Berthd berthd = new Berthd();
    CommandLine.ParseResult parsed = new CommandLine(berthd).parseArgs(all.toArray(String[]::new));
    return berthd.resolve(parsed).registryMirrors();
  }

  @Test
  void repeatedFlagsKeepTheirOrderAndABareUrlMirrorsDockerHub() throws Exception {
    RegistryMirrors table = resolve("{}", "--registry-mirror", "registry.k8s.io=http://127.0.0.1:5000",
        "--registry-mirror", "https://hub-mirror.example", "--registry-mirror", "registry.k8s.io=https://b.example");

    assertThat(table.of("registry.k8s.io"))
        .containsExactly(URI.create("http://127.0.0.1:5000"), URI.create("https://b.example"));
    assertThat(table.of("docker.io")).containsExactly(URI.create("https://hub-mirror.example"));
  }

  @Test
  void daemonJsonTakesDockersListFormAndBerthsObjectForm() throws Exception {
    assertThat(resolve("{\"registry-mirrors\": [\"https://mirror.example\"]}").byRegistry())
        .containsExactly(java.util.Map.entry("docker.io", List.of(URI.create("https://mirror.example"))));
    RegistryMirrors object = resolve("{\"registry-mirrors\": {\"registry.k8s.io\": [\"http://127.0.0.1:5000\"], "
        + "\"gcr.io\": [\"http://127.0.0.1:5000\", \"https://gcr-mirror.example\"]}}");
    assertThat(object.of("gcr.io"))
        .containsExactly(URI.create("http://127.0.0.1:5000"), URI.create("https://gcr-mirror.example"));
    assertThat(object.of("registry.k8s.io")).containsExactly(URI.create("http://127.0.0.1:5000"));
    assertThat(resolve("{}").isEmpty()).isTrue();
  }

  @Test
  void badMirrorsAreRefusedAtStartWithWhatToDo() {
    assertThatThrownBy(() -> resolve("{}", "--registry-mirror", "registry.k8s.io/pause=http://127.0.0.1:5000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a path");
    assertThatThrownBy(() -> resolve("{}", "--registry-mirror", "gcr.io=mirror.example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheme");
    assertThatThrownBy(() -> resolve("{}", "--registry-mirror", "gcr.io=http://10.0.0.5:5000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--insecure-registry");
    assertThatThrownBy(() -> resolve("{\"registry-mirrors\": {\"gcr.io\": \"http://127.0.0.1:5000\"}}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be an array of mirror URLs");
    assertThatThrownBy(() -> resolve("{\"registry-mirrors\": [\"https://m.example\"]}",
        "--registry-mirror", "https://m.example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry-mirrors");
  }

  @Test
  void anInsecureRegistryMayBeAPlainHttpMirror() throws Exception {
    RegistryMirrors table = resolve("{\"insecure-registries\": [\"10.0.0.5:5000\"]}",
        "--registry-mirror", "gcr.io=http://10.0.0.5:5000");
    assertThat(table.of("gcr.io")).containsExactly(URI.create("http://10.0.0.5:5000"));
  }
}
