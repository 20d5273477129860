package dev.berth.engine.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CniResultTest {
  /** What Debian's bridge plugin (1.1.1) prints for an ADD with host-local. */
  private static final String BRIDGE_RESULT = """
      {"cniVersion":"1.0.0","interfaces":[{"name":"bt0","mac":"aa:3f:35:87:59:c6"},
       {"name":"veth5d6d1f0a","mac":"5e:1b:6a:0b:2e:11"},
       {"name":"eth0","mac":"02:88:21:b0:38:d5","sandbox":"/run/berth/netns/abc"}],
       "ips":[{"interface":2,"address":"10.231.7.2/24","gateway":"10.231.7.1"}],
       "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";

  @Test
  void theSandboxInterfaceGivesAddressMacAndGateway() throws Exception {
    CniResult r = CniResult.parse(BRIDGE_RESULT.getBytes(StandardCharsets.UTF_8));
    assertThat(r.cniVersion()).isEqualTo("1.0.0");
    assertThat(r.attached("eth0")).contains(new Attached("eth0", "10.231.7.2", 24, "10.231.7.1", "02:88:21:b0:38:d5"));
    assertThat(r.attached("eth1")).isEmpty();
  }

  @Test
  void versionZeroFourResultsWithoutInterfaceIndexStillParse() throws Exception {
    CniResult r = CniResult.parse("""
        {"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.1.0.5/16"}],"unknownField":1}"""
        .getBytes(StandardCharsets.UTF_8));
    assertThat(r.attached("eth0")).contains(new Attached("eth0", "10.1.0.5", 16, "", ""));
  }

  @Test
  void errorResultsBecomeExceptionsWithCodeAndMessage() {
    CniException e = CniExecutor.error("bridge", "ADD", """
        {"code":11,"msg":"failed to allocate","details":"no IP addresses available in range set"}"""
        .getBytes(StandardCharsets.UTF_8), 1);
    assertThat(e.code()).isEqualTo(11);
    assertThat(e.getMessage()).contains("bridge").contains("ADD: failed to allocate")
        .contains("no IP addresses available");
    assertThat(CniExecutor.error("bridge", "DEL", "panic: boom".getBytes(StandardCharsets.UTF_8), 2).getMessage())
        .contains("exited with 2: panic: boom");
  }

  @Test
  void eachPluginSeesTheListsNameAndVersionAndThePreviousResult() throws Exception {
    var list = CniConfigs.bridge("berth-x", "1.0.0", new NetworkConfig("bridge", "10.0.0.0/24", "10.0.0.1", null,
        false, null, null, "bt0", false), java.nio.file.Path.of("/d"));
    var prev = CniResult.JSON.readTree("{\"cniVersion\":\"1.0.0\"}");
    var conf = CniResult.JSON.readTree(CniExecutor.netConf(list, list.path("plugins").get(0), prev));
    assertThat(conf.path("name").asText()).isEqualTo("berth-x");
    assertThat(conf.path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(conf.path("type").asText()).isEqualTo("bridge");
    assertThat(conf.path("prevResult").path("cniVersion").asText()).isEqualTo("1.0.0");
  }
}
