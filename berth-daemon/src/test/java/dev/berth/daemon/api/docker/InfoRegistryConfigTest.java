package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.image.registry.RegistryMirrors;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InfoRegistryConfigTest {
  @Test
  void dockerHubMirrorsAreListedAsDockerdListsThemAndOthersPerRegistry() {
    RegistryMirrors table = new RegistryMirrors.Builder()
        .addFlag("https://mirror.example").addFlag("http://127.0.0.1:5999/")
        .addFlag("registry.k8s.io=http://127.0.0.1:5000").build(Set.of());

    InfoResponse.RegistryConfig config = SystemRoutes.registryConfig(table);

    // dockerd 20.10 with the same two --registry-mirror flags answers exactly these.
    assertThat(config.mirrors()).containsExactly("https://mirror.example/", "http://127.0.0.1:5999/");
    assertThat(config.indexConfigs()).containsOnlyKeys("docker.io", "registry.k8s.io");
    assertThat(config.indexConfigs().get("docker.io")).isEqualTo(new InfoResponse.IndexInfo("docker.io",
        List.of("https://mirror.example/", "http://127.0.0.1:5999/"), true, true));
    assertThat(config.indexConfigs().get("registry.k8s.io")).isEqualTo(new InfoResponse.IndexInfo(
        "registry.k8s.io", List.of("http://127.0.0.1:5000/"), true, false));
  }

  @Test
  void withoutMirrorsDockerHubIsStillAnIndexAsInDockerd() {
    InfoResponse.RegistryConfig config = SystemRoutes.registryConfig(RegistryMirrors.NONE);
    assertThat(config.mirrors()).isEmpty();
    assertThat(config.indexConfigs()).containsOnlyKeys("docker.io");
  }
}
