package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerNetworking;
import dev.berth.engine.network.EndpointSettings;
import dev.berth.engine.network.PortBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkingJsonsTest {
  @Test
  void theCreateBodysPortsEndpointsAndExposedPortsAreRead() throws Exception {
    ContainerNetworking n = NetworkingJsons.fromCreate(Json.MAPPER.readTree("""
        {"Image":"i","ExposedPorts":{"80/tcp":{},"53/udp":{}},
         "HostConfig":{"PublishAllPorts":true,"PortBindings":{
           "80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18080"},{"HostIp":"","HostPort":""}],
           "53/udp":[{"HostPort":"5353"}]}},
         "NetworkingConfig":{"EndpointsConfig":{"n1":{"Aliases":["web"],"IPAMConfig":{"IPv4Address":"10.9.0.5"}}}}}"""));
    assertThat(n.publishAllPorts()).isTrue();
    assertThat(n.portBindings()).containsExactly(new PortBinding("tcp", 80, "127.0.0.1", 18080),
        new PortBinding("tcp", 80, "", 0), new PortBinding("udp", 53, "", 5353));
    assertThat(n.endpoints()).containsEntry("n1", EndpointSettings.of(List.of("web"), "10.9.0.5"));
    assertThat(n.exposedPorts()).containsExactly("80/tcp", "53/udp");
    assertThat(NetworkingJsons.portBindings(n)).containsKey("80/tcp");
  }

  @Test
  void aBadPortIsAClearError() {
    assertThatThrownBy(() -> NetworkingJsons.fromCreate(Json.MAPPER.readTree("""
        {"HostConfig":{"PortBindings":{"http/tcp":[{"HostPort":"80"}]}}}""")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("invalid port http");
    assertThatThrownBy(() -> NetworkingJsons.fromCreate(Json.MAPPER.readTree("""
        {"HostConfig":{"PortBindings":{"80/sctp":[{"HostPort":"80"}]}}}""")))
        .hasMessageContaining("invalid protocol sctp");
  }

  @Test
  void aNetworkShowsOnlyTheOptionsItsCreatorGaveAndTheDefaultBridgeShowsDockerdsOwn() {
    var user = new dev.berth.engine.network.Network("a".repeat(64), "n1", java.time.Instant.EPOCH,
        new dev.berth.engine.network.NetworkConfig("bridge", "10.5.0.0/24", "10.5.0.1", null, false, java.util.Map.of(),
            java.util.Map.of("foo", "bar"), "br-aaaaaaaaaaaa", true, true));
    assertThat(NetworkingJsons.options(user)).containsExactly(java.util.Map.entry("foo", "bar"));
    var bridge = new dev.berth.engine.network.Network("b".repeat(64), "bridge", java.time.Instant.EPOCH,
        new dev.berth.engine.network.NetworkConfig("bridge", "10.6.0.0/24", "10.6.0.1", null, false, java.util.Map.of(),
            java.util.Map.of(), "berth0", false));
    assertThat(NetworkingJsons.options(bridge)).containsEntry("com.docker.network.bridge.name", "berth0")
        .containsEntry("com.docker.network.bridge.default_bridge", "true").hasSize(6);
  }
}
