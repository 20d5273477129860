package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerLinksTest {
  private static Container child() throws Exception {
    ContainerConfig c = ContainerStore.JSON.readValue("{\"image\":\"i\",\"hostname\":\"abc123\",\"env\":[\"PATH=/bin\","
        + "\"HOME=/root\",\"DB_USER=app\"]}", ContainerConfig.class);
    return new Container("c".repeat(64), "my-db", "sha256:x", "i", Instant.EPOCH, c,
        new ContainerState.Running(7, Instant.EPOCH), 0, null);
  }

  @Test
  void envFollowsDockersLinkVariables() throws Exception {
    List<String> env = ContainerLinks.env("web", List.of(new ContainerLinks.Resolved(child(), "db-alias", "172.17.0.3",
        Set.of("5432/tcp", "53/udp"))));
    assertThat(env).containsExactly(
        "DB_ALIAS_PORT=udp://172.17.0.3:53",
        "DB_ALIAS_PORT_53_UDP=udp://172.17.0.3:53",
        "DB_ALIAS_PORT_53_UDP_ADDR=172.17.0.3",
        "DB_ALIAS_PORT_53_UDP_PORT=53",
        "DB_ALIAS_PORT_53_UDP_PROTO=udp",
        "DB_ALIAS_PORT_5432_TCP=tcp://172.17.0.3:5432",
        "DB_ALIAS_PORT_5432_TCP_ADDR=172.17.0.3",
        "DB_ALIAS_PORT_5432_TCP_PORT=5432",
        "DB_ALIAS_PORT_5432_TCP_PROTO=tcp",
        "DB_ALIAS_NAME=/web/db-alias",
        "DB_ALIAS_ENV_DB_USER=app");
  }

  @Test
  void hostsLineNamesAliasHostnameAndNameAndTheContainersOwnEnvWins() throws Exception {
    assertThat(ContainerLinks.hostsLines(List.of(new ContainerLinks.Resolved(child(), "db", "172.17.0.3", Set.of()))))
        .containsExactly("172.17.0.3\tdb abc123 my-db");
    assertThat(ContainerLinks.hostsLines(List.of(new ContainerLinks.Resolved(child(), "my-db", "172.17.0.3", Set.of()))))
        .containsExactly("172.17.0.3\tmy-db abc123");
    ContainerConfig parent = ContainerStore.JSON.readValue("{\"image\":\"i\",\"cmd\":[\"x\"],\"env\":[\"DB_NAME=mine\"]}",
        ContainerConfig.class);
    Spec s = ContainerSpecs.build("a".repeat(64), parent, Path.of("/r"),
        new ContainerSpecs.EtcFiles(Path.of("/h"), Path.of("/n"), Path.of("/r.conf")), User.ROOT, Path.of("/tini"),
        20000, ContainerSpecs.ALL_CAPS);
    assertThat(ContainerLinks.withEnv(s, List.of("DB_NAME=/web/db", "DB_PORT=tcp://x:1")).process().env())
        .contains("DB_NAME=mine", "DB_PORT=tcp://x:1").doesNotContain("DB_NAME=/web/db");
  }

  @Test
  void removingALinkKeepsTheOthersAndNamesAMissingOne() throws Exception {
    ContainerConfig parent = ContainerStore.JSON.readValue("{\"image\":\"i\",\"host\":{\"links\":["
        + "{\"container\":\"c1\",\"name\":\"db\",\"alias\":\"db\"},{\"container\":\"c2\",\"name\":\"cache\","
        + "\"alias\":\"redis\"}]}}", ContainerConfig.class);
    assertThat(ContainerLinks.parentOf("/web/db")).isEqualTo("web");
    assertThat(ContainerLinks.without(parent, "web", "/web/redis").host().links())
        .extracting(HostOptions.Link::alias).containsExactly("db");
    assertThatThrownBy(() -> ContainerLinks.without(parent, "web", "/web/nope"))
        .isInstanceOf(BerthException.NotFound.class);
    assertThatThrownBy(() -> ContainerLinks.parentOf("/web")).isInstanceOf(BerthException.Conflict.class)
        .hasMessage("Conflict, cannot remove the default link name of the container");
    assertThat(HostOptions.Link.parse("/db:/web/alias")).isEqualTo(new HostOptions.Link("db", "db", "alias"));
    assertThat(HostOptions.Link.parse("db")).isEqualTo(new HostOptions.Link("db", "db", "db"));
  }
}
