package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerStorage;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageJsonsTest {
  @Test
  void bindsMountsAndTmpfsOfTheCreateBody() throws Exception {
    JsonNode body = Json.MAPPER.readTree("""
        {"HostConfig":{"Binds":["data:/data:ro","/srv:/srv"],
          "Mounts":[{"Type":"volume","Source":"v","Target":"/v","ReadOnly":true,
                     "VolumeOptions":{"NoCopy":true,"Labels":{"a":"b"}}},
                    {"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1016}},
                    {"Type":"bind","Source":"/h","Target":"/b","BindOptions":{"Propagation":"rslave"}}],
          "Tmpfs":{"/run":"size=64m"}}}""");
    ContainerStorage s = StorageJsons.fromCreate(body);
    assertThat(s.binds()).containsExactly("data:/data:ro", "/srv:/srv");
    assertThat(s.mounts()).hasSize(3);
    assertThat(s.mounts().get(0).type()).isEqualTo(MountType.VOLUME);
    assertThat(s.mounts().get(0).readOnly()).isTrue();
    assertThat(s.mounts().get(0).noCopy()).isTrue();
    assertThat(s.mounts().get(0).volumeLabels()).containsEntry("a", "b");
    assertThat(s.mounts().get(1).tmpfsSizeBytes()).isEqualTo(1048576);
    assertThat(s.mounts().get(1).tmpfsMode()).isEqualTo(01770);
    assertThat(s.mounts().get(2).propagation()).isEqualTo("rslave");
    assertThat(s.tmpfs()).containsEntry("/run", "size=64m");
  }

  @Test
  void readOnlyForceRecursiveIsTakenAndShownBack() throws Exception {
    ContainerStorage s = StorageJsons.fromCreate(Json.MAPPER.readTree("""
        {"HostConfig":{"Mounts":[{"Type":"bind","Source":"/h","Target":"/b","ReadOnly":true,
                                  "BindOptions":{"ReadOnlyForceRecursive":true}}]}}"""));
    assertThat(s.mounts().getFirst().readOnlyForceRecursive()).isTrue();
    Map<String, Object> host = new LinkedHashMap<>();
    StorageJsons.putHostConfig(host, s);
    assertThat(host.get("Mounts")).asString().contains("BindOptions={ReadOnlyForceRecursive=true}");
    assertThatThrownBy(() -> StorageJsons.fromCreate(Json.MAPPER.readTree(
        "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/h\",\"Target\":\"/b\","
            + "\"BindOptions\":{\"NonRecursive\":true}}]}}")))
        .hasMessageContaining("NonRecursive is not supported");
    assertThat(StorageJsons.fromCreate(Json.MAPPER.readTree(
        "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/h\",\"Target\":\"/b\",\"ReadOnly\":true,"
            + "\"BindOptions\":{\"ReadOnlyNonRecursive\":true}}]}}")).mounts().getFirst().readOnlyForceRecursive())
        .isFalse();
  }

  @Test
  void aMountWithoutAKnownTypeIsRefused() throws Exception {
    assertThatThrownBy(() -> StorageJsons.fromCreate(Json.MAPPER.readTree(
        "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"npipe\",\"Target\":\"/x\"}]}}")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("mount type unknown: \"npipe\"");
    assertThatThrownBy(() -> StorageJsons.fromCreate(Json.MAPPER.readTree(
        "{\"HostConfig\":{\"Mounts\":[{\"Target\":\"/x\"}]}}"))).hasMessageContaining("field Type must not be empty");
  }

  @Test
  void inspectShowsMountsAsDockerDoesAndLeavesTmpfsFlagMountsOut() {
    ContainerStorage s = new ContainerStorage(List.of("data:/data"), List.of(), Map.of("/run", ""), List.of(),
        List.of(
        new MountPoint(MountType.VOLUME, "data", "/d/volumes/data/_data", "/data", true, "z", "", true, List.of(),
            false, true),
        new MountPoint(MountType.BIND, "", "/srv", "/srv", false, "ro", "rprivate", false, List.of(), false, true),
        new MountPoint(MountType.TMPFS, "", "", "/run", true, "", "", false, List.of("noexec"), false, false)));
    List<Map<String, Object>> mounts = StorageJsons.mounts(s);
    assertThat(mounts).hasSize(2);
    assertThat(mounts.get(0)).containsExactly(Map.entry("Type", "volume"), Map.entry("Name", "data"),
        Map.entry("Source", "/d/volumes/data/_data"), Map.entry("Destination", "/data"), Map.entry("Driver", "local"),
        Map.entry("Mode", "z"), Map.entry("RW", true), Map.entry("Propagation", ""));
    assertThat(mounts.get(1)).doesNotContainKeys("Name", "Driver").containsEntry("RW", false)
        .containsEntry("Propagation", "rprivate");
    Map<String, Object> host = new LinkedHashMap<>();
    StorageJsons.putHostConfig(host, s);
    assertThat(host).containsEntry("Binds", List.of("data:/data")).containsEntry("Tmpfs", Map.of("/run", ""))
        .doesNotContainKey("Mounts");
  }
}
