package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestCommand;
import dev.berth.engine.runtime.spec.User;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmIsolationTest {
  private static ContainerConfig with(String isolation, boolean tty, boolean stdin, String network) {
    ContainerConfig c = ContainerConfig.ofImage("busybox", List.of("true"));
    return new ContainerConfig(c.image(), null, c.cmd(), List.of("A=1"), "/w", "", "host1", "", null, tty, stdin,
        false, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null, network, null, null,
        null, null, isolation, null, null, null, null);
  }

  @Test
  void unknownValuesAreRefusedNamingTheAllowedOnes() {
    assertThatThrownBy(() -> VmIsolation.validate(with("hyperv", false, false, null)))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("invalid isolation \"hyperv\": use process or vm (process is the default)");
    VmIsolation.validate(with(null, true, true, "host")); // the default is process: anything goes
    VmIsolation.validate(with("default", false, false, null));
  }

  @Test
  void whatAMicroVmCannotDoIsRefused() {
    VmIsolation.validate(with("vm", true, true, null)); // -i and -t: the guest init's terminal and stdin port
    assertThatThrownBy(() -> VmIsolation.validate(with("vm", false, false, "host")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageStartingWith("--isolation=vm cannot use --network host");
    VmIsolation.validate(with("vm", false, false, null));
    ContainerConfig volume = new ContainerConfig("busybox", null, List.of("true"), null, null, null, null, null, null,
        false, false, false, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null, null,
        null, null, null, new ContainerStorage(List.of("/srv:/data"), List.of(), java.util.Map.of(), List.of()), "vm", null, null, null, null);
    VmIsolation.validate(volume); // volumes and binds are shared into the guest (VmMounts)
    ContainerConfig userNetwork = new ContainerConfig("busybox", null, List.of("true"), null, null, null, null, null,
        null, false, false, false, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null,
        "n1", null, null, null, null, "vm", null, null, null, null);
    VmIsolation.validate(userNetwork); // user networks, the default bridge and none are the microVM's too
    assertThatThrownBy(() -> VmIsolation.validate(with("vm", false, false, "container:web")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("--network container:web");
  }

  @Test
  void theGuestGetsDockersEnvAndTheResolvedUser() {
    GuestCommand g = VmIsolation.guestCommand(with("vm", false, false, null), new User(1000, 50, List.of(), null));
    assertThat(g.env()).containsExactly("HOSTNAME=host1", "A=1");
    assertThat(g.args()).containsExactly("true");
    assertThat(g.workingDir()).isEqualTo("/w");
    assertThat(g.uid()).isEqualTo(1000);
    assertThat(g.gid()).isEqualTo(50);
  }
}
