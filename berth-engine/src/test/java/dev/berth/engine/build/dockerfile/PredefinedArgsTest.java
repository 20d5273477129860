package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** BuildKit's automatic platform args and Docker's proxy args (Dockerfile reference, "Predefined ARGs"). */
class PredefinedArgsTest {

  @Test
  void thisHostIsLinuxAmd64ForBothTargetAndBuild() {
    assertThat(PredefinedArgs.HOST_PLATFORM).containsExactly(
        Map.entry("TARGETPLATFORM", "linux/amd64"), Map.entry("TARGETOS", "linux"), Map.entry("TARGETARCH", "amd64"),
        Map.entry("TARGETVARIANT", ""), Map.entry("BUILDPLATFORM", "linux/amd64"), Map.entry("BUILDOS", "linux"),
        Map.entry("BUILDARCH", "amd64"), Map.entry("BUILDVARIANT", ""));
  }

  @Test
  void aVariantJoinsThePlatform() {
    assertThat(PredefinedArgs.platform("linux", "arm", "v7")).containsEntry("TARGETPLATFORM", "linux/arm/v7")
        .containsEntry("TARGETVARIANT", "v7");
  }

  @Test
  void predefinedNames() {
    assertThat(PredefinedArgs.PROXY).hasSize(10).contains("HTTP_PROXY", "no_proxy", "ALL_PROXY");
    assertThat(PredefinedArgs.isPredefined("https_proxy")).isTrue();
    assertThat(PredefinedArgs.isPredefined("TARGETARCH")).isTrue();
    assertThat(PredefinedArgs.isPredefined("HOME")).isFalse();
    assertThat(PredefinedArgs.isPredefined("Http_Proxy")).isFalse(); // exact names only
  }

  @Test
  void platformArgsWorkInFromAsBuildKitAllows() {
    Dockerfile df = Dockerfile.parse("FROM base-$TARGETARCH\n");
    assertThat(new Expander(df.escape()).expand(df.stages().getFirst().from().image(), PredefinedArgs.HOST_PLATFORM))
        .isEqualTo("base-amd64");
  }
}
