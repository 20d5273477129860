package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageModelTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  // A config as docker build writes it, plus a field Berth does not model ("container").
  private static final String CONFIG = """
      {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","author":"me",
       "container":"ignored",
       "config":{"User":"1000:1000","ExposedPorts":{"80/tcp":{}},"Env":["PATH=/bin","A=b"],
         "Entrypoint":["/init"],"Cmd":["sh","-c","echo hi"],"Volumes":{"/data":{}},
         "WorkingDir":"/app","Labels":{"k":"v"},"StopSignal":"SIGTERM","ArgsEscaped":true,
         "Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,"Retries":3},
         "OnBuild":null,"Shell":["/bin/sh","-c"]},
       "rootfs":{"type":"layers","diff_ids":["%s","%s"]},
       "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD x /","comment":"c"},
                  {"created_by":"CMD","empty_layer":true}]}
      """.formatted(A, B);

  @Test
  void configReadsWhatAnEngineNeedsAndRoundTrips() throws Exception {
    ImageConfig config = ImageJson.read(CONFIG.getBytes(StandardCharsets.UTF_8), ImageConfig.class, "config");

    assertThat(config.platform().toString()).isEqualTo("linux/amd64");
    assertThat(config.config().cmd()).containsExactly("sh", "-c", "echo hi");
    assertThat(config.config().entrypoint()).containsExactly("/init");
    assertThat(config.config().env()).containsExactly("PATH=/bin", "A=b");
    assertThat(config.config().exposedPorts()).containsOnlyKeys("80/tcp");
    assertThat(config.config().volumes()).containsOnlyKeys("/data");
    assertThat(config.config().workingDir()).isEqualTo("/app");
    assertThat(config.config().user()).isEqualTo("1000:1000");
    assertThat(config.config().labels()).containsEntry("k", "v");
    assertThat(config.config().stopSignal()).isEqualTo("SIGTERM");
    assertThat(config.config().healthcheck().retries()).isEqualTo(3);
    assertThat(config.rootfs().diffIds()).containsExactly(Digest.parse(A), Digest.parse(B));
    assertThat(config.history()).hasSize(2);
    assertThat(config.history().get(1).emptyLayer()).isTrue();

    byte[] written = ImageJson.write(config);
    assertThat(ImageJson.read(written, ImageConfig.class, "config")).isEqualTo(config);
    JsonNode tree = ImageJson.MAPPER.readTree(written);
    assertThat(tree.path("config").path("ExposedPorts").toString()).isEqualTo("{\"80/tcp\":{}}");
    assertThat(tree.path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(A);
    assertThat(tree.path("config").has("OnBuild")).isFalse();
  }

  @Test
  void dockerManifestListAndManifestRoundTrip() {
    String list = """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
         "manifests":[
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":527,
           "platform":{"architecture":"arm","os":"linux","variant":"v7"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
           "platform":{"architecture":"amd64","os":"linux","os.features":["x"]}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":5,
           "platform":{"architecture":"unknown","os":"unknown"},
           "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}
        """.formatted(A, B, A);
    ImageIndex index = ImageJson.read(list.getBytes(), ImageIndex.class, "index");

    assertThat(index.select(Platform.DEFAULT, "x").digest()).isEqualTo(Digest.parse(B));
    assertThat(index.select(Platform.parse("linux/arm/v7"), "x").size()).isEqualTo(527);
    assertThatThrownBy(() -> index.select(Platform.parse("linux/arm/v6"), "busybox:latest"))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessage("no image for platform linux/arm/v6 in busybox:latest; available platforms: "
            + "linux/arm/v7, linux/amd64 (choose one with --platform)");
    assertThat(ImageJson.read(ImageJson.write(index), ImageIndex.class, "index")).isEqualTo(index);

    ImageManifest manifest = new ImageManifest(MediaTypes.DOCKER_MANIFEST,
        new Descriptor(MediaTypes.DOCKER_CONFIG, Digest.parse(A), 10),
        List.of(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, Digest.parse(B), 20)));
    assertThat(ImageJson.read(ImageJson.write(manifest), ImageManifest.class, "m")).isEqualTo(manifest);
  }

  @ParameterizedTest
  @CsvSource({
    "linux/amd64, linux/amd64", "linux/x86_64, linux/amd64", "Linux/AArch64/V8, linux/arm64/v8",
    "linux/arm/v7, linux/arm/v7", "windows/amd64, windows/amd64"
  })
  void parsesPlatforms(String text, String normalized) {
    assertThat(Platform.parse(text).toString()).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux", "linux/", "/amd64", "a/b/c/d", ""})
  void rejectsBadPlatforms(String text) {
    assertThatThrownBy(() -> Platform.parse(text))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("os/arch[/variant]");
  }

  @Test
  void arm64VariantV8IsTheDefault() {
    Platform arm64 = new Platform("arm64", "linux", null);
    Platform arm64v8 = new Platform("arm64", "linux", "v8");
    assertThat(Platform.parse("linux/arm64/v8").accepts(arm64)).isTrue();
    assertThat(Platform.parse("linux/arm64").accepts(arm64v8)).isTrue();
    assertThat(Platform.parse("linux/arm/v7").accepts(new Platform("arm", "linux", "v6"))).isFalse();
    assertThat(Platform.DEFAULT.accepts(arm64)).isFalse();
  }
}
