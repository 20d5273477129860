package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default bridge when it outlived the daemon that made it (say its data-root was removed for a
 * clean reinstall): a new berthd keeps the bridge's address, as dockerd keeps docker0's, instead
 * of choosing another subnet that CNI's bridge plugin would refuse to add to the same bridge.
 */
@Tag("integration")
class DefaultBridgeIT {
  @TempDir Path dir;

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  private static void host(String... command) {
    ok(Commands.run(List.of(command), Duration.ofSeconds(30)));
  }

  @Test
  void aBridgeLeftByAnEarlierDaemonKeepsItsAddress() throws Exception {
    String hex = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    int third = ThreadLocalRandom.current().nextInt(0, 250);
    HostNetwork net = new HostNetwork("bta" + hex, "10.77." + third + ".1/24", "10.78." + third + ".0/24",
        "BTA" + hex.toUpperCase(Locale.ROOT));
    Files.writeString(dir.resolve("daemon.json"), """
        {"bridge": "%s", "iptables-prefix": "%s", "default-address-pools": [{"base": "%s", "size": 26}]}
        """.formatted(net.bridge(), net.prefix(), net.pool()));
    // busybox as an image: its binary and the links the test calls.
    Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
    for (String applet : List.of("sh", "ip")) {
      Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
    }
    host("tar", "-C", dir.resolve("rootfs").toString(), "-cf", dir.resolve("image.tar").toString(), ".");
    BerthdProcess daemon = null;
    try {
      host("ip", "link", "add", net.bridge(), "type", "bridge");
      host("ip", "addr", "add", net.bip(), "dev", net.bridge());
      host("ip", "link", "set", net.bridge(), "up");
      daemon = BerthdProcess.start(dir.resolve("data"), dir.resolve("exec"), dir.resolve("exec/b.sock"), dir);
      ok(Commands.berth(daemon.host(), "import", dir.resolve("image.tar").toString(), "adopt:1"));

      String ipam = ok(Commands.berth(daemon.host(), "network", "inspect", "bridge", "--format", "{{json .IPAM}}"))
          .stdout();
      assertThat(ipam).contains("\"Subnet\":\"10.77." + third + ".0/24\"").contains("\"Gateway\":\"10.77." + third + ".1\"");
      ProcessResult addr = ok(Commands.berth(daemon.host(), "run", "--rm", "adopt:1", "ip", "addr", "show", "eth0"));
      assertThat(addr.stdout()).as(addr + "\n" + daemon.log()).contains("inet 10.77." + third + ".");
    } finally {
      if (daemon != null) {
        daemon.stop();
      }
      net.cleanUp();
    }
  }
}
