package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Linux.IdMapping;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.userns.IdRange;
import dev.berth.engine.userns.Remapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What --userns-remap changes in a container's checks and spec, and what --userns=host leaves alone. */
class ContainerUsernsTest {
  private static final Remapping REMAP = Remapping.of("berth", "berth", List.of(new IdRange(100000, 65536)),
      List.of(new IdRange(200000, 65536)));

  @TempDir
  Path dataRoot;

  private static ContainerConfig config(String top, String hostJson) throws Exception {
    return ContainerStore.JSON.readValue("{\"image\":\"i\",\"cmd\":[\"x\"],\"hostname\":\"box\"" + top
        + ",\"host\":" + hostJson + "}", ContainerConfig.class);
  }

  private static Spec spec(ContainerConfig c) {
    return ContainerSpecs.build("a".repeat(64), c, Path.of("/c/rootfs"), new ContainerSpecs.EtcFiles(
        Path.of("/c/hosts"), Path.of("/c/hostname"), Path.of("/c/resolv.conf")), User.ROOT, Path.of("/tini"),
        20000, ContainerSpecs.ALL_CAPS);
  }

  @Test
  void whatAUserNamespaceCannotDoIsRefusedInDockerdsWordsUnlessUsernsHost() throws Exception {
    ContainerUserns userns = new ContainerUserns(Optional.of(REMAP), dataRoot);
    assertThatThrownBy(() -> userns.check(config(",\"privileged\":true", "{}")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("privileged mode is incompatible with user namespaces.  You must run the container in the host "
            + "namespace when running privileged mode");
    assertThatThrownBy(() -> userns.check(config(",\"networkMode\":\"host\"", "{}")))
        .hasMessage("cannot share the host's network namespace when user namespaces are enabled");
    assertThatThrownBy(() -> userns.check(config("", "{\"pidMode\":\"host\"}")))
        .hasMessage("cannot share the host PID namespace when user namespaces are enabled");
    userns.check(config(",\"privileged\":true,\"networkMode\":\"host\"", "{\"pidMode\":\"host\",\"usernsMode\":\"host\"}"));
    // without a remapping nothing is refused
    new ContainerUserns(Optional.empty(), dataRoot).check(config(",\"privileged\":true", "{\"pidMode\":\"host\"}"));
  }

  @Test
  void aRemappedContainersSpecJoinsItsUserNamespaceWithTheMappings() throws Exception {
    ContainerUserns userns = new ContainerUserns(Optional.of(REMAP), dataRoot);
    ContainerConfig c = config("", "{}");
    Spec s = userns.apply(spec(c), c, Optional.empty(), n -> null);
    assertThat(s.linux().namespaces()).contains(new Namespace("user", null));
    assertThat(s.linux().uidMappings()).containsExactly(new IdMapping(0, 100000, 65536));
    assertThat(s.linux().gidMappings()).containsExactly(new IdMapping(0, 200000, 65536));
    ContainerConfig host = config("", "{\"usernsMode\":\"host\"}");
    assertThat(host.host().usernsMode()).isEqualTo("host");
    Spec unchanged = spec(host);
    assertThat(userns.apply(unchanged, host, Optional.empty(), n -> null)).isEqualTo(unchanged);
    assertThat(unchanged.linux().namespaces()).extracting(Namespace::type).doesNotContain("user");
    assertThat(new ContainerUserns(Optional.empty(), dataRoot).apply(spec(c), c, Optional.empty(), n -> null))
        .isEqualTo(spec(c));
  }

  @Test
  void usernsModeIsHostPrivateOrEmpty() throws Exception {
    for (String ok : List.of("", "host", "private")) {
      HostOptionsCheck.check(config("", "{\"usernsMode\":\"" + ok + "\"}"), n -> null);
    }
    assertThatThrownBy(() -> HostOptionsCheck.check(config("", "{\"usernsMode\":\"other\"}"), n -> null))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageStartingWith("invalid --userns: other");
  }
}
