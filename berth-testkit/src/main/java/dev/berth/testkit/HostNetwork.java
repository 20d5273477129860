package dev.berth.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test daemon's share of the host's network: its own default bridge, subnets and iptables
 * chain prefix, derived from its data-root (so a restarted daemon gets the same ones, and
 * daemons of parallel tests do not meet), and the clean-up of what it leaves on the host.
 *
 * @param bridge the default network's bridge, e.g. bt1a2b3c
 * @param bip the default bridge's address, e.g. 10.123.40.1/24
 * @param pool where networks without --subnet get theirs (/26 subnets of a /23)
 * @param prefix the iptables chain prefix, e.g. BT1A2B3C
 */
public record HostNetwork(String bridge, String bip, String pool, String prefix) {

  public static HostNetwork forDaemon(Path dataRoot) {
    int h = dataRoot.toAbsolutePath().normalize().toString().hashCode() & 0x7fffffff;
    String hex = HexFormat.of().toHexDigits(h).substring(2);
    int a = 100 + h % 150;
    int b = (h / 150) % 60 * 4;
    return new HostNetwork("bt" + hex, "10." + a + "." + b + ".1/24", "10." + a + "." + (b + 2) + ".0/23",
        "BT" + hex.toUpperCase(java.util.Locale.ROOT));
  }

  List<String> flags() {
    return List.of("--bridge", bridge, "--bip", bip, "--default-address-pool", "base=" + pool + ",size=26",
        "--iptables-prefix", prefix);
  }

  /** The iptables-save lines (nat and filter) that mention this daemon's chains. */
  public List<String> iptablesRules() {
    List<String> out = new ArrayList<>();
    for (String table : List.of("nat", "filter")) {
      for (String line : run("iptables-save", "-t", table).split("\n")) {
        if (line.contains(prefix + "-") || line.contains(prefix + ":")) {
          out.add(line);
        }
      }
    }
    return out;
  }

  /** Removes the daemon's chains (and the jumps to them) and its default bridge; safe to repeat. */
  public void cleanUp() {
    StringBuilder batch = new StringBuilder();
    for (String table : List.of("nat", "filter")) {
      String saved = run("iptables-save", "-t", table);
      List<String> chains = new ArrayList<>();
      batch.append('*').append(table).append('\n');
      for (String line : saved.split("\n")) {
        if (line.startsWith(":" + prefix + "-")) {
          chains.add(line.substring(1, line.indexOf(' ')));
        } else if (line.startsWith("-A ") && !line.startsWith("-A " + prefix + "-") && line.contains("-j " + prefix + "-")) {
          batch.append("-D ").append(line.substring(3)).append('\n');
        }
      }
      chains.forEach(c -> batch.append("-F ").append(c).append('\n'));
      chains.forEach(c -> batch.append("-X ").append(c).append('\n'));
      batch.append("COMMIT\n");
    }
    runWithInput(batch.toString(), "iptables-restore", "--noflush", "--wait");
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      run("ip", "link", "delete", bridge);
    }
  }

  private static String run(String... argv) {
    return runWithInput("", argv);
  }

  private static String runWithInput(String input, String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      try (var in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
