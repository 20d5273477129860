package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BerthdConfigTest {
  @TempDir
  Path dir;

  private DaemonConfig resolve(String... args) {
    Berthd berthd = new Berthd();
    CommandLine cli = new CommandLine(berthd);
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    return berthd.resolve(parsed);
  }

  private Path config(String json) throws Exception {
    Path file = dir.resolve("daemon.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void flagsWinOverDefaultsAndPidfileFollowsExecRoot() throws Exception {
    Path empty = config("{}");
    DaemonConfig c = resolve("--config-file", empty.toString(), "--data-root", "/d", "--exec-root", "/e",
        "-H", "unix:///tmp/a.sock", "-H", "tcp://127.0.0.1:2375", "--log-level", "debug");
    assertThat(c.dataRoot()).isEqualTo(Path.of("/d"));
    assertThat(c.execRoot()).isEqualTo(Path.of("/e"));
    assertThat(c.hosts()).containsExactly("unix:///tmp/a.sock", "tcp://127.0.0.1:2375");
    assertThat(c.logLevel()).isEqualTo(DaemonConfig.LogLevel.DEBUG);
    assertThat(c.pidfile()).isEqualTo(Path.of("/e/berthd.pid"));
  }

  @Test
  void configFileKeysAreTheFlagNames() throws Exception {
    Path file = config("{\"hosts\": [\"unix:///x.sock\"], \"data-root\": \"/dd\", \"exec-root\": \"/ee\", "
        + "\"log-level\": \"warn\", \"pidfile\": \"/p.pid\"}");
    DaemonConfig c = resolve("--config-file", file.toString());
    assertThat(c).isEqualTo(DaemonConfig.withDefaults(List.of("unix:///x.sock"), Path.of("/dd"), Path.of("/ee"),
        DaemonConfig.LogLevel.WARN, Path.of("/p.pid")));
  }

  @Test
  void microVmKernelAndAcceleratorComeFromFlagsOrTheFile() throws Exception {
    Path file = config("{\"vm-kernel\": \"/k/vmlinuz-6.1.0-9-amd64\", \"vm-accel\": \"tcg\"}");
    DaemonConfig c = resolve("--config-file", file.toString());
    assertThat(c.microVm().kernel()).contains(Path.of("/k/vmlinuz-6.1.0-9-amd64"));
    assertThat(c.microVm().accel()).isEqualTo("tcg");

    DaemonConfig defaults = resolve("--config-file", config("{}").toString());
    assertThat(defaults.microVm().kernel()).isEmpty();
    assertThat(defaults.microVm().accel()).isEqualTo("auto");

    assertThatThrownBy(() -> resolve("--config-file", config("{}").toString(), "--vm-accel", "fast"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid vm-accel \"fast\": use auto, kvm or tcg");
  }

  @Test
  void aSettingInBothPlacesIsAnError() throws Exception {
    Path file = config("{\"data-root\": \"/dd\", \"hosts\": [\"unix:///x.sock\"]}");
    assertThatThrownBy(() -> resolve("--config-file", file.toString(), "--data-root", "/d", "-H", "unix:///y.sock"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("specified both as a flag and in the configuration file: data-root, hosts");
  }

  @Test
  void unknownKeysAndBadValuesAreNamed() throws Exception {
    Path typo = config("{\"data_root\": \"/d\"}");
    assertThatThrownBy(() -> resolve("--config-file", typo.toString()))
        .hasMessageContaining("don't match any configuration option: data_root");
    Path broken = config("{\"data-root\": ");
    assertThatThrownBy(() -> resolve("--config-file", broken.toString())).hasMessageContaining("not valid JSON");
    Path wrongType = config("{\"hosts\": \"unix:///x.sock\"}");
    assertThatThrownBy(() -> resolve("--config-file", wrongType.toString()))
        .hasMessageContaining("\"hosts\" must be an array of strings");
    assertThatThrownBy(() -> resolve("--config-file", config("{}").toString(), "--log-level", "loud"))
        .hasMessageContaining("unable to parse logging level: loud");
  }

  @Test
  void aNamedConfigFileMustExist() {
    assertThatThrownBy(() -> resolve("--config-file", dir.resolve("missing.json").toString()))
        .hasMessageContaining("does not exist");
  }

  @Test
  void plainTcpOnANonLoopbackAddressIsRefusedUnlessTlsIsTurnedOffExplicitly() throws Exception {
    String empty = config("{}").toString();
    assertThatThrownBy(() -> resolve("--config-file", empty, "-H", "tcp://0.0.0.0:2375"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to serve the API on tcp://0.0.0.0:2375 without TLS")
        .hasMessageContaining("--tls=false");
    assertThat(resolve("--config-file", empty, "-H", "tcp://0.0.0.0:2375", "--tls=false").tls()
        .exposedPlainListeners(List.of("tcp://0.0.0.0:2375"))).hasSize(1);
    // Loopback stays plain and allowed; TLS on makes any address fine.
    assertThat(resolve("--config-file", empty, "-H", "tcp://127.0.0.1:2375").tls().enabled()).isFalse();
    assertThat(resolve("--config-file", empty, "-H", "tcp://localhost:2375").hosts()).hasSize(1);
    assertThat(resolve("--config-file", empty, "-H", "tcp://[::1]:2375").hosts()).hasSize(1);
    assertThat(resolve("--config-file", empty, "-H", "tcp://0.0.0.0:2376", "--tlsverify").tls().verifies()).isTrue();
    // daemon.json says it as well as the flags do.
    assertThat(resolve("--config-file", config("{\"hosts\": [\"tcp://0.0.0.0:2375\"], \"tls\": false}").toString())
        .tls().explicitlyOff()).isTrue();
    assertThatThrownBy(() -> resolve("--config-file", config("{\"hosts\": [\"tcp://10.0.0.1:2375\"]}").toString()))
        .hasMessageContaining("refusing to serve the API on tcp://10.0.0.1:2375 without TLS");
  }

  @Test
  void tlsFlagsAndTheirDaemonJsonKeys() throws Exception {
    DaemonConfig flags = resolve("--config-file", config("{}").toString(), "--tlsverify", "--tlscacert", "/c/ca.pem",
        "--tlscert", "/c/cert.pem", "--tlskey", "/c/key.pem");
    assertThat(flags.tls()).isEqualTo(new TlsOptions(null, true, Path.of("/c/ca.pem"), Path.of("/c/cert.pem"),
        Path.of("/c/key.pem")));
    assertThat(flags.tls().enabled()).isTrue();

    DaemonConfig file = resolve("--config-file", config("{\"tls\": true, \"tlscert\": \"/f/cert.pem\", "
        + "\"tlskey\": \"/f/key.pem\", \"tlsverify\": false}").toString());
    assertThat(file.tls().enabled()).isTrue();
    assertThat(file.tls().verifies()).isFalse();
    assertThat(file.tls().ca()).isEqualTo(Path.of("/etc/berth/tls/ca.pem"));
    assertThat(file.tls().cert()).isEqualTo(Path.of("/f/cert.pem"));

    assertThatThrownBy(() -> resolve("--config-file", config("{\"tlsverify\": true}").toString(), "--tlsverify"))
        .hasMessageContaining("tlsverify");
    assertThatThrownBy(() -> resolve("--config-file", config("{\"tls\": \"yes\"}").toString()))
        .hasMessageContaining("\"tls\" must be true or false");
  }

  @Test
  void usernsRemapComesFromTheFlagOrTheFileAndEmptyMeansOff() throws Exception {
    assertThat(resolve("--config-file", config("{}").toString(), "--userns-remap", "default").usernsRemap())
        .isEqualTo("default");
    assertThat(resolve("--config-file", config("{\"userns-remap\": \"alice:staff\"}").toString()).usernsRemap())
        .isEqualTo("alice:staff");
    assertThat(resolve("--config-file", config("{\"userns-remap\": \"\"}").toString()).usernsRemap()).isNull();
    assertThat(resolve("--config-file", config("{}").toString()).usernsRemap()).isNull();
    assertThatThrownBy(() -> resolve("--config-file", config("{\"userns-remap\": \"default\"}").toString(),
        "--userns-remap", "default")).hasMessageContaining("userns-remap");
  }

  @Test
  void socketGroupComesFromTheFlagOrTheFileAndAMissingNamedGroupIsAnError() throws Exception {
    assertThat(resolve("--config-file", config("{}").toString(), "-G", "staff").socketGroup()).isEqualTo("staff");
    assertThat(resolve("--config-file", config("{\"group\": \"wheel\"}").toString()).socketGroup()).isEqualTo("wheel");
    assertThat(resolve("--config-file", config("{}").toString()).socketGroup()).isNull();

    assertThatThrownBy(() -> SocketGroup.resolve("no-such-group-berth"))
        .hasMessage("group no-such-group-berth (-G/--group) does not exist; create it (groupadd no-such-group-berth) "
            + "or name another");
    assertThat(SocketGroup.resolve("0")).isNotNull(); // a gid works as a name
    // Without a name: berth when that group exists, else root.
    boolean berthGroup = Files.readAllLines(Path.of("/etc/group")).stream().anyMatch(l -> l.startsWith("berth:"));
    assertThat(SocketGroup.resolve(null).getName()).isEqualTo(berthGroup ? "berth" : "root");
  }

  @Test
  void apiConnectionLimitComesFromTheFlagOrTheFile() throws Exception {
    assertThat(resolve("--config-file", config("{}").toString()).maxApiConnections())
        .isEqualTo(dev.berth.daemon.http.HttpLimits.DEFAULT_MAX_CONNECTIONS);
    assertThat(resolve("--config-file", config("{}").toString(), "--api-max-connections", "50").maxApiConnections())
        .isEqualTo(50);
    assertThat(resolve("--config-file", config("{\"api-max-connections\": 7}").toString()).maxApiConnections())
        .isEqualTo(7);
    assertThatThrownBy(() -> resolve("--config-file", config("{}").toString(), "--api-max-connections", "0"))
        .hasMessage("--api-max-connections must be at least 1, not 0");
  }

  private java.util.Optional<Path> criSocket(String... args) {
    Berthd berthd = new Berthd();
    CommandLine.ParseResult parsed = new CommandLine(berthd).parseArgs(args);
    return berthd.criSocket(berthd.resolve(parsed));
  }

  @Test
  void criSocketFollowsTheExecRootComesFromFlagOrFileAndEmptyTurnsItOff() throws Exception {
    String empty = config("{}").toString();
    assertThat(criSocket("--config-file", empty, "--exec-root", "/e")).contains(Path.of("/e/cri.sock"));
    assertThat(criSocket("--config-file", empty, "--cri-socket", "unix:///k/cri.sock")).contains(Path.of("/k/cri.sock"));
    assertThat(criSocket("--config-file", empty, "--cri-socket", "/k/c.sock")).contains(Path.of("/k/c.sock"));
    assertThat(criSocket("--config-file", empty, "--cri-socket", "")).isEmpty();
    assertThatThrownBy(() -> criSocket("--config-file", empty, "--cri-socket", "tcp://127.0.0.1:1"))
        .hasMessageContaining("unix socket only");
    assertThat(criSocket("--config-file", config("{\"cri-socket\": \"/f/cri.sock\"}").toString()))
        .contains(Path.of("/f/cri.sock"));
    assertThatThrownBy(() -> criSocket("--config-file", config("{\"cri-socket\": \"/f\"}").toString(),
        "--cri-socket", "/g")).hasMessageContaining("cri-socket");
  }
}
