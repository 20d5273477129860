package dev.berth.cli.command.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountFlagTest {
  @Test
  void bindWithReadonlyAndPropagation() {
    ObjectNode m = MountFlag.parse("type=bind,src=/srv/www,dst=/usr/share/html,readonly,bind-propagation=rshared");
    assertThat(m.toString()).isEqualTo("{\"Type\":\"bind\",\"Source\":\"/srv/www\",\"Target\":\"/usr/share/html\","
        + "\"ReadOnly\":true,\"BindOptions\":{\"Propagation\":\"rshared\"}}");
  }

  @Test
  void volumeIsTheDefaultTypeAndTakesItsOptions() {
    ObjectNode m = MountFlag.parse("source=data,target=/data,volume-nocopy,volume-label=a=b,ro=false");
    assertThat(m.path("Type").asText()).isEqualTo("volume");
    assertThat(m.path("ReadOnly").asBoolean()).isFalse();
    assertThat(m.path("VolumeOptions").path("NoCopy").asBoolean()).isTrue();
    assertThat(m.path("VolumeOptions").path("Labels").path("a").asText()).isEqualTo("b");
  }

  @Test
  void tmpfsSizeAndOctalMode() {
    ObjectNode m = MountFlag.parse("type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770");
    assertThat(m.path("TmpfsOptions").path("SizeBytes").asLong()).isEqualTo(64L << 20);
    assertThat(m.path("TmpfsOptions").path("Mode").asInt()).isEqualTo(01770);
  }

  @Test
  void aQuotedFieldMayHoldCommasAsWithDockersCsvReader() {
    ObjectNode m = MountFlag.parse("type=bind,\"src=/srv/a,b\",dst=/x");
    assertThat(m.path("Source").asText()).isEqualTo("/srv/a,b");
  }

  @Test
  void aRelativeBindSourceBecomesAbsolute() {
    assertThat(MountFlag.parse("type=bind,src=data,dst=/x").path("Source").asText())
        .isEqualTo(Path.of("data").toAbsolutePath().toString());
  }

  @Test
  void mistakesAreNamedAsDockerNamesThem() {
    assertThatThrownBy(() -> MountFlag.parse("type=bind,src=/a")).hasMessageEndingWith("target is required");
    assertThatThrownBy(() -> MountFlag.parse("type=bind,src=/a,dst=/b,colour=red"))
        .hasMessageContaining("unexpected key 'colour' in 'colour=red'");
    assertThatThrownBy(() -> MountFlag.parse("type=bind,src=/a,dst=/b,shiny"))
        .hasMessageContaining("invalid field 'shiny' must be a key=value pair");
    assertThatThrownBy(() -> MountFlag.parse("type=bind,src=/a,dst=/b,volume-nocopy"))
        .hasMessageContaining("cannot mix 'volume-*' options with mount type 'bind'");
    assertThatThrownBy(() -> MountFlag.parse("type=tmpfs,dst=/b,tmpfs-mode=99"))
        .hasMessageContaining("invalid value for tmpfs-mode: 99");
    assertThatThrownBy(() -> MountFlag.parse("dst=/b,readonly=maybe"))
        .hasMessageStartingWith("invalid argument \"dst=/b,readonly=maybe\" for \"--mount\" flag: invalid value for readonly");
  }

  @Test
  void volumeFlagKeepsNamesAndMakesRelativeHostPathsAbsolute() {
    assertThat(StorageOptions.absoluteSource("data:/data:ro")).isEqualTo("data:/data:ro");
    assertThat(StorageOptions.absoluteSource("./site:/www")).isEqualTo(Path.of("site").toAbsolutePath() + ":/www");
    assertThat(StorageOptions.absoluteSource("/data")).isEqualTo("/data");
  }

  @Test
  void volumeSubpath() {
    assertThat(MountFlag.parse("type=volume,src=data,dst=/d,volume-subpath=a/b").path("VolumeOptions").path("Subpath")
        .asText()).isEqualTo("a/b");
  }
}
