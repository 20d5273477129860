package dev.berth.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.VolumeTable;
import dev.berth.engine.events.EventBus;
import dev.berth.engine.events.EventFilter;
import java.nio.file.Files;
import java.time.Instant;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeServiceTest {
  @TempDir
  Path dir;

  StateStore state;
  VolumeService volumes;
  EventBus events;
  final Map<String, List<String>> users = new HashMap<>();

  @BeforeEach
  void open() {
    state = StateStore.open(dir.resolve("berth.db"));
    events = new EventBus(Clock.systemUTC());
    volumes = new VolumeService(dir.resolve("volumes"), new VolumeTable(state), Clock.systemUTC(), events);
    volumes.setUsage(name -> users.getOrDefault(name, List.of()));
  }

  @AfterEach
  void close() {
    state.close();
  }

  @Test
  void createMakesTheDataDirAndASecondCreateReturnsTheSameVolume() throws Exception {
    Volume v = volumes.create("data", "", Map.of("a", "b"), Map.of());
    assertThat(v.mountpoint()).isEqualTo(dir.resolve("volumes/data/_data")).isDirectory();
    assertThat(v.driver()).isEqualTo("local");
    Files.writeString(v.mountpoint().resolve("f"), "x");
    assertThat(volumes.ensure("data", "local", Map.of(), Map.of()).created()).isFalse();
    assertThat(v.mountpoint().resolve("f")).exists();
    assertThat(volumes.find("data").labels()).containsEntry("a", "b");
  }

  @Test
  void createAndRemovePublishVolumeEvents() {
    volumes.create("data", "", Map.of(), Map.of());
    volumes.ensure("data", "local", Map.of(), Map.of()); // exists: no second create event
    volumes.remove("data", false);

    assertThat(events.since(Instant.EPOCH, EventFilter.none())).extracting(e -> e.type() + " " + e.action() + " "
        + e.actorId() + " " + e.attributes()).containsExactly(
            "volume create data {driver=local}", "volume destroy data {driver=local}");
  }

  @Test
  void generatedNamesAre64Hex() {
    assertThat(volumes.create("", null, null, null).name()).matches("[0-9a-f]{64}");
  }

  @Test
  void badNamesDriversAndOptionsAreRefusedBeforeAnythingIsMade() {
    assertThatThrownBy(() -> volumes.create("a", "", Map.of(), Map.of())).hasMessageContaining("too short");
    assertThatThrownBy(() -> volumes.create("x/y", "", Map.of(), Map.of()))
        .hasMessageContaining("includes invalid characters");
    assertThatThrownBy(() -> volumes.create("ok", "nfs-plugin", Map.of(), Map.of()))
        .isInstanceOf(BerthException.NotFound.class).hasMessageContaining("plugin \"nfs-plugin\" not found");
    assertThatThrownBy(() -> volumes.create("ok", "", Map.of(), Map.of("colour", "red")))
        .hasMessageContaining("invalid option key: \"colour\"");
    assertThat(volumes.list()).isEmpty();
    assertThat(dir.resolve("volumes/ok")).doesNotExist();
  }

  @Test
  void aVolumeInUseIsNotRemovedAndTheErrorNamesTheContainers() {
    volumes.create("busy", "", Map.of(), Map.of());
    users.put("busy", List.of("c0ffee"));
    assertThatThrownBy(() -> volumes.remove("busy", true)).isInstanceOf(BerthException.Conflict.class)
        .hasMessage("remove busy: volume is in use - [c0ffee]");
    users.clear();
    volumes.remove("busy", false);
    assertThat(dir.resolve("volumes/busy")).doesNotExist();
    assertThatThrownBy(() -> volumes.remove("busy", false)).isInstanceOf(BerthException.NotFound.class);
    volumes.remove("busy", true); // -f: a missing volume is no error
  }

  @Test
  void aReservedVolumeCountsAsInUseUntilReleased() {
    volumes.acquire("c1", "held", "", Map.of(), Map.of());
    assertThat(volumes.users("held")).containsExactly("c1");
    assertThat(volumes.prune(true, v -> true).names()).isEmpty();
    volumes.release("c1");
    assertThat(volumes.users("held")).isEmpty();
  }

  @Test
  void pruneTakesAnonymousUnusedVolumesUnlessAll() throws Exception {
    volumes.create("named", "", Map.of(), Map.of());
    Volume anon = volumes.create("", "", Map.of(Volume.ANONYMOUS_LABEL, ""), Map.of());
    Volume used = volumes.create("", "", Map.of(Volume.ANONYMOUS_LABEL, ""), Map.of());
    users.put(used.name(), List.of("c1"));
    Files.writeString(anon.mountpoint().resolve("f"), "12345");
    VolumeService.Pruned p = volumes.prune(false, v -> true);
    assertThat(p.names()).containsExactly(anon.name());
    assertThat(p.reclaimedBytes()).isEqualTo(5);
    assertThat(volumes.prune(true, v -> true).names()).containsExactly("named");
    assertThat(volumes.list()).extracting(Volume::name).containsExactly(used.name());
  }
}
