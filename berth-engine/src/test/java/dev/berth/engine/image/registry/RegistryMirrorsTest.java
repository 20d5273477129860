package dev.berth.engine.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistryMirrorsTest {
  private static RegistryMirrors flags(String... values) {
    RegistryMirrors.Builder builder = new RegistryMirrors.Builder();
    for (String v : values) {
      builder.addFlag(v);
    }
    return builder.build(Set.of());
  }

  @Test
  void flagFormMapsARegistryToMirrorsInTheOrderGiven() {
    RegistryMirrors table = flags("registry.k8s.io=http://127.0.0.1:5000", "gcr.io=http://127.0.0.1:5000",
        "registry.k8s.io=https://mirror.example:8443/");

    assertThat(table.of("registry.k8s.io"))
        .containsExactly(URI.create("http://127.0.0.1:5000"), URI.create("https://mirror.example:8443"));
    assertThat(table.of("gcr.io")).containsExactly(URI.create("http://127.0.0.1:5000"));
    assertThat(table.of("quay.io")).isEmpty();
  }

  @Test
  void dockerdsBareUrlIsAMirrorOfDockerHubUnderAnyOfItsNames() {
    RegistryMirrors table = flags("https://mirror.example", "index.docker.io=https://second.example");

    assertThat(table.byRegistry()).containsOnlyKeys("docker.io");
    assertThat(table.of("docker.io"))
        .containsExactly(URI.create("https://mirror.example"), URI.create("https://second.example"));
    assertThat(table.of("registry-1.docker.io")).isEqualTo(table.of("docker.io"));
    assertThat(RegistryMirrors.display(table.of("docker.io").getFirst())).isEqualTo("https://mirror.example/");
  }

  @Test
  void aMirrorNamedTwiceIsTriedOnce() {
    assertThat(flags("gcr.io=http://127.0.0.1:5000", "gcr.io=http://127.0.0.1:5000/").of("gcr.io")).hasSize(1);
  }

  @Test
  void refusesWhatIsNotAMirrorUrlInDockerdsWords() {
    assertThatThrownBy(() -> flags("gcr.io=notaurl"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheme ''");
    assertThatThrownBy(() -> flags("ftp://x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheme 'ftp'");
    assertThatThrownBy(() -> flags("gcr.io=https://mirror.example/path"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path, query, or fragment");
    assertThatThrownBy(() -> flags("gcr.io=https://u:p@mirror.example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user name and password");
    assertThatThrownBy(() -> flags("gcr.io=https://mirror example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid URI");
  }

  @Test
  void refusesARegistryNameWithAPathOrSchemeOrNone() {
    assertThatThrownBy(() -> flags("registry.k8s.io/pause=http://127.0.0.1:5000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a path");
    assertThatThrownBy(() -> flags("=http://127.0.0.1:5000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a registry name");
    assertThatThrownBy(() -> flags("bad_host!=http://127.0.0.1:5000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid host[:port]");
  }

  @Test
  void plainHttpOnlyForLoopbackOrInsecureRegistries() {
    assertThat(flags("gcr.io=http://localhost:5000", "quay.io=http://[::1]:5000").of("quay.io")).hasSize(1);
    assertThatThrownBy(() -> flags("gcr.io=http://10.1.2.3:5000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain HTTP")
        .hasMessageContaining("--insecure-registry");
    RegistryMirrors allowed = new RegistryMirrors.Builder().addFlag("gcr.io=http://10.1.2.3:5000")
        .build(Set.of("10.1.2.3:5000"));
    assertThat(allowed.of("gcr.io")).containsExactly(URI.create("http://10.1.2.3:5000"));
  }
}
