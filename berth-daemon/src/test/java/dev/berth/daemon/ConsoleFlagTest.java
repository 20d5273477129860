package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** berthd's --console-addr and daemon.json console-addr, checked before anything starts. */
class ConsoleFlagTest {
  @TempDir
  Path dir;

  private DaemonConfig resolve(String json, String... args) throws Exception {
    Path file = dir.resolve("daemon.json");
    Files.writeString(file, json);
    Berthd berthd = new Berthd();
    String[] all = new String[args.length + 2];
    all[0] = "--config-file";
    all[1] = file.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return berthd.resolve(new CommandLine(berthd).parseArgs(all));
  }

  @Test
  void offByDefaultAndTakenFromTheFlagOrTheFile() throws Exception {
    assertThat(resolve("{}").consoleAddr()).isNull();
    assertThat(resolve("{}", "--console-addr", "127.0.0.1:2380").consoleAddr()).isEqualTo("127.0.0.1:2380");
    assertThat(resolve("{\"console-addr\": \"[::1]:2380\"}").consoleAddr()).isEqualTo("[::1]:2380");
    assertThatThrownBy(() -> resolve("{\"console-addr\": \"127.0.0.1:1\"}", "--console-addr", "127.0.0.1:2"))
        .hasMessageContaining("console-addr");
  }

  @Test
  void aNonLoopbackAddressWithoutTlsIsRefusedEvenWithTlsFalse() {
    assertThatThrownBy(() -> resolve("{}", "--console-addr", "0.0.0.0:2380"))
        .hasMessageContaining("refusing to serve the console on 0.0.0.0:2380 without TLS");
    assertThatThrownBy(() -> resolve("{\"console-addr\": \"192.0.2.7:2380\"}", "--tls=false"))
        .hasMessageContaining("without TLS");
    assertThatThrownBy(() -> resolve("{}", "--console-addr", "nonsense"))
        .hasMessageContaining("use HOST:PORT");
  }

  @Test
  void tlsAllowsAnyAddress() throws Exception {
    assertThat(resolve("{}", "--console-addr", "0.0.0.0:2380", "--tls").consoleAddr()).isEqualTo("0.0.0.0:2380");
  }
}
