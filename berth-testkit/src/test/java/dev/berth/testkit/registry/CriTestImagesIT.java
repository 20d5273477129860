package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.FetchedManifest;
import dev.berth.engine.image.registry.RegistryClient;
import dev.berth.engine.image.registry.RegistryMirrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The critest image fixture: filled once per registry, and served under critest's names through mirrors. */
@Tag("integration")
class CriTestImagesIT {
  @TempDir Path dir;

  @Test
  void fillsARegistryOnceAndCritestsNamesResolveThroughItsMirrors() {
    Optional<String> missing = CriTestImages.unavailable();
    Assumptions.assumeTrue(missing.isEmpty(), missing.orElse(""));
    List<String> names;
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      names = CriTestImages.fill(registry);
      assertThat(names).contains(registry.host() + "/e2e-test-images/busybox:1.29-2",
          registry.host() + "/k8s-staging-cri-tools/test-image-tag:test");
      long pushes = registry.requests().stream().filter(r -> r.startsWith("PUT ")).count();

      // Once per registry: the second call pushes nothing.
      assertThat(CriTestImages.fill(registry)).isEqualTo(names);
      assertThat(registry.requests().stream().filter(r -> r.startsWith("PUT ")).count()).isEqualTo(pushes);

      // What critest pulls, resolved through the mirror flags' table; registry.k8s.io is never asked.
      RegistryMirrors.Builder table = new RegistryMirrors.Builder();
      List<String> flags = CriTestImages.mirrorFlags(registry);
      for (int i = 1; i < flags.size(); i += 2) {
        table.addFlag(flags.get(i));
      }
      try (RegistryClient client = new RegistryClient(
          RegistryClient.Settings.defaults().withMirrors(table.build(Set.of())))) {
        FetchedManifest.Resolved pulled = client.resolve(
            Reference.parse("registry.k8s.io/e2e-test-images/busybox:1.29-2"), Platform.DEFAULT);
        assertThat(pulled.image().manifest().layers()).isNotEmpty();
      }
    }
    // A registry restarted on the same dir (another port) keeps its images and the marker.
    try (LocalRegistry again = LocalRegistry.start(dir.resolve("registry"))) {
      List<String> renamed = CriTestImages.fill(again);
      assertThat(renamed).hasSameSizeAs(names).allSatisfy(n -> assertThat(n).startsWith(again.host() + "/"));
      assertThat(again.requests()).noneMatch(r -> r.startsWith("PUT "));
    }
    assertThat(Files.exists(dir.resolve("registry/critest-images.done"))).isTrue();
  }
}
