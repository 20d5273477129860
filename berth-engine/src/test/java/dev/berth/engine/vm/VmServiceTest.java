package dev.berth.engine.vm;

import dev.berth.engine.events.EventBus;
import dev.berth.engine.events.EventFilter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.state.StateStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create-time validation and lookups; nothing here starts QEMU. */
class VmServiceTest {
  @TempDir
  Path dir;

  private StateStore state;
  private VmService vms;
  private EventBus events;
  private Path kernel;

  @BeforeEach
  void open() throws IOException {
    state = StateStore.open(dir.resolve("data/berth.db"));
    events = new EventBus(java.time.Clock.systemUTC());
    vms = new VmService(new EngineConfig(dir.resolve("data"), dir.resolve("exec")), state, events);
    kernel = Files.writeString(dir.resolve("vmlinux"), "not really a kernel");
  }

  @AfterEach
  void close() {
    vms.close();
    state.close();
  }

  private VmSpec spec(String name, String memory, String kernel, String disk, List<String> ports) {
    return new VmSpec(name, null, memory, disk, null, kernel, null, null, null, ports, null);
  }

  private List<Path> vmDirs() throws IOException {
    Path root = dir.resolve("data/vm");
    if (!Files.exists(root)) {
      return List.of();
    }
    try (var s = Files.list(root)) {
      return s.toList();
    }
  }

  @Test
  void createAndRemovePublishVmEvents() {
    Vm vm = vms.create(spec("evt", "128m", kernel.toString(), null, List.of()));
    vms.remove("evt", false);

    assertThat(events.since(java.time.Instant.EPOCH, EventFilter.none()))
        .extracting(e -> e.type() + " " + e.action() + " " + e.actorId() + " " + e.attributes())
        .containsExactly("vm create " + vm.id() + " {name=evt}", "vm destroy " + vm.id() + " {name=evt}");
  }

  @Test
  void createRecordsAVmFoundByNameIdAndPrefix() throws IOException {
    Vm vm = vms.create(spec("one", "128m", kernel.toString(), null, List.of()));
    assertThat(vm.id()).matches("[0-9a-f]{64}");
    assertThat(vm.state()).isEqualTo(new VmState.Created());
    assertThat(vm.config().memoryBytes()).isEqualTo(128L << 20);
    assertThat(vm.config().machine()).isEqualTo("microvm");
    assertThat(vms.inspect("one").id()).isEqualTo(vm.id());
    assertThat(vms.inspect(vm.id()).name()).isEqualTo("one");
    assertThat(vms.inspect(vm.id().substring(0, 5)).name()).isEqualTo("one");
    assertThat(vmDirs()).containsExactly(vm.dir());
    assertThatThrownBy(() -> vms.create(spec("one", "128m", kernel.toString(), null, List.of())))
        .isInstanceOf(BerthException.Conflict.class).hasMessageContaining("\"one\" is already in use");
    assertThatThrownBy(() -> vms.inspect("nope")).isInstanceOf(BerthException.NotFound.class);
    vms.remove("one", false);
    assertThat(vmDirs()).isEmpty();
    assertThat(vms.list()).isEmpty();
  }

  @Test
  void badInputIsRejectedAndLeavesNothingBehind() throws IOException {
    assertThatThrownBy(() -> vms.create(spec("a1", "lots", kernel.toString(), null, List.of())))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--memory");
    assertThatThrownBy(() -> vms.create(spec("a2", "128m", dir.resolve("missing").toString(), null, List.of())))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--kernel");
    assertThatThrownBy(() -> vms.create(spec("a3", "128m", null, dir.toString(), List.of())))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--disk");
    assertThatThrownBy(() -> vms.create(spec("a4", "128m", null, null, List.of())))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("nothing to boot");
    assertThatThrownBy(() -> vms.create(new VmSpec("a5", null, "128m", null, null, kernel.toString(), null, null,
        null, List.of(), "turbo"))).isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--accel");
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertThatThrownBy(() -> vms.create(spec("a6", "128m", kernel.toString(), null,
          List.of(taken.getLocalPort() + ":80")))).isInstanceOf(BerthException.Conflict.class)
          .hasMessageContaining("already in use");
    }
    assertThat(vms.list()).isEmpty();
    assertThat(vmDirs()).isEmpty();
  }
}
