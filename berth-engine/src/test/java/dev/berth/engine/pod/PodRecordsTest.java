package dev.berth.engine.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodRecordsTest {
  @TempDir
  Path dir;

  private static SandboxSpec spec(String name) {
    return new SandboxSpec(new PodMetadata(name, "u", "ns", 0), null, null, null, null, Map.of("app", name), null,
        null, null);
  }

  @Test
  void recordsSurviveAReopenAndGoWhenDeleted() throws Exception {
    PodRecords records = new PodRecords(dir);
    records.save(new SandboxRecord("s1", spec("a"), 1, "", null, false, "", List.of()));
    records.save(new ContainerRecord("c1", "s1", new PodContainerSpec(new ContainerMetadata("x", 0), "busybox", null,
        null, null, null, null, null, Map.of("k", "v"), null, "x.log", false, false, false, null, null), "/l/x.log",
        null, null));
    records.save(new ContainerRecord("c2", "s2", new PodContainerSpec(new ContainerMetadata("y", 0), "busybox", null,
        null, null, null, null, null, null, null, null, false, false, false, null, null), "", null, null));
    Files.writeString(dir.resolve("sandboxes/broken.json"), "{not json");

    PodRecords reopened = new PodRecords(dir);
    assertThat(reopened.sandbox("s1")).hasValueSatisfying(r -> assertThat(r.spec().labels()).isEqualTo(
        Map.of("app", "a")));
    assertThat(reopened.sandboxes()).hasSize(1); // the unreadable file is skipped, not fatal
    assertThat(reopened.containersOf("s1")).extracting(ContainerRecord::id).containsExactly("c1");
    assertThat(reopened.container("c1").orElseThrow().spec().labels()).isEqualTo(Map.of("k", "v"));

    reopened.deleteContainer("c1");
    reopened.deleteSandbox("s1");
    assertThat(new PodRecords(dir).sandbox("s1")).isEmpty();
    assertThat(new PodRecords(dir).container("c1")).isEmpty();
    assertThat(new PodRecords(dir).container("c2")).isPresent();
  }

  @Test
  void sandboxesAreFoundByAUniquePrefixAsCrictlShortIdsAsk() {
    PodRecords records = new PodRecords(dir);
    records.save(new SandboxRecord("abc111", spec("a"), 1, "", null, false, "", List.of()));
    records.save(new SandboxRecord("abc222", spec("b"), 1, "", null, false, "", List.of()));

    assertThat(records.requireSandbox("abc2").spec().metadata().name()).isEqualTo("b");
    assertThat(records.requireSandbox("abc111").spec().metadata().name()).isEqualTo("a");
    assertThatThrownBy(() -> records.requireSandbox("abc")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("ambiguous");
    assertThatThrownBy(() -> records.requireSandbox("zzz")).isInstanceOf(BerthException.NotFound.class)
        .hasMessage("pod sandbox zzz not found");
    assertThatThrownBy(() -> records.requireContainer("")).isInstanceOf(BerthException.InvalidArgument.class);
  }
}
