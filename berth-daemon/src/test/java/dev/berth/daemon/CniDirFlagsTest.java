package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.pod.PodNetworkConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --cni-config-dir and --cni-plugin-dir (daemon.json cni-config-dir, cni-plugin-dirs): where pods find CNI. */
class CniDirFlagsTest {
  @TempDir
  Path dir;

  private String config(String json) throws Exception {
    Path f = dir.resolve("daemon-" + System.nanoTime() + ".json");
    Files.writeString(f, json);
    return f.toString();
  }

  private static PodNetworkConfig podNetwork(String... args) {
    Berthd berthd = new Berthd();
    CommandLine.ParseResult parsed = new CommandLine(berthd).parseArgs(args);
    berthd.resolve(parsed); // refuses a key given as flag and in the file
    return berthd.podNetwork();
  }

  @Test
  void withoutEitherPodsUseTheUsualDirs() throws Exception {
    PodNetworkConfig n = podNetwork("--config-file", config("{}"));
    assertThat(n.confDir()).isEqualTo(Path.of("/etc/cni/net.d"));
    assertThat(n.binDirs()).containsExactly(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
  }

  @Test
  void flagsSetTheConfigDirAndThePluginDirsInOrder() throws Exception {
    PodNetworkConfig n = podNetwork("--config-file", config("{}"), "--cni-config-dir", "/k/net.d",
        "--cni-plugin-dir", "/k/bin", "--cni-plugin-dir", "/usr/lib/cni");
    assertThat(n.confDir()).isEqualTo(Path.of("/k/net.d"));
    assertThat(n.binDirs()).containsExactly(Path.of("/k/bin"), Path.of("/usr/lib/cni"));
    assertThat(n.bridge()).isEqualTo(PodNetworkConfig.DEFAULTS.bridge());
  }

  @Test
  void daemonJsonSetsThemTooButNotBesideTheFlag() throws Exception {
    PodNetworkConfig n = podNetwork("--config-file",
        config("{\"cni-config-dir\": \"/f/net.d\", \"cni-plugin-dirs\": [\"/f/bin\"]}"));
    assertThat(n.confDir()).isEqualTo(Path.of("/f/net.d"));
    assertThat(n.binDirs()).containsExactly(Path.of("/f/bin"));
    String both = config("{\"cni-plugin-dirs\": [\"/f/bin\"]}");
    assertThatThrownBy(() -> podNetwork("--config-file", both, "--cni-plugin-dir", "/g"))
        .hasMessageContaining("cni-plugin-dirs");
    String conf = config("{\"cni-config-dir\": \"/f\"}");
    assertThatThrownBy(() -> podNetwork("--config-file", conf, "--cni-config-dir", "/g"))
        .hasMessageContaining("cni-config-dir");
  }

  @Test
  void helpNamesBoth() {
    StringWriter out = new StringWriter();
    new CommandLine(new Berthd()).usage(new PrintWriter(out));
    assertThat(out.toString()).contains("--cni-config-dir=DIR").contains("--cni-plugin-dir=DIR")
        .contains("/etc/cni/net.d");
  }
}
