package dev.berth.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptsTest {
  @Test
  void durationsAreEndMinusStartPerStep() {
    Map<String, Double> d = Scripts.durations("hash 100.250000 100.750000\nio 5.10 5.35\nsyscalls 1.000001 1.000101\n");
    assertThat(d.get("hash")).isCloseTo(0.5, within(1e-9));
    assertThat(d.get("io")).isCloseTo(0.25, within(1e-9));
    assertThat(d.get("syscalls")).isCloseTo(0.0001, within(1e-9));
  }

  @Test
  void sentBytesIsTheServersCount() {
    assertThat(Scripts.sentBytes("send 1.0 2.0 33554432\n")).isEqualTo(33554432L);
    assertThat(Scripts.sentBytes("send 1.0 2.0 \n")).isZero(); // the server answered nothing
  }

  @Test
  void factsOfAPlainContainer() {
    String out = """
        kernel 6.18.44
        Seccomp:\t2
        NoNewPrivs:\t0
        CapEff:\t00000000a80425fb
        CapBnd:\t00000000a80425fb
        uidmap          0          0 4294967295
        kallsyms 121463 0
        procsys no
        sys no
        """;
    IsolationFacts f = Scripts.facts(out, "6.18.44", "none");
    assertThat(f.kernel()).isEqualTo("6.18.44");
    assertThat(f.ownKernel()).isFalse();
    assertThat(f.seccomp()).isEqualTo(2);
    assertThat(f.capEff()).isEqualTo("00000000a80425fb");
    assertThat(f.capEffCount()).isEqualTo(14); // Docker's default set
    assertThat(f.uidMap()).isEqualTo("0 0 4294967295");
    assertThat(f.userNamespace()).isFalse();
    assertThat(f.kallsymsLines()).isEqualTo(121463);
    assertThat(f.kallsymsAddresses()).isZero();
    assertThat(f.procSysWritable()).isFalse();
    assertThat(f.sysWritable()).isFalse();
    assertThat(f.acceleratorMeaning()).contains("host's CPU");
  }

  @Test
  void factsOfAMicroVmAndOfAUserNamespace() {
    IsolationFacts vm = Scripts.facts("kernel 6.1.0-57-amd64\nSeccomp:\t0\nCapEff:\t000001ffffffffff\n"
        + "uidmap 0 100000 65536\nkallsyms 96469 96467\nprocsys yes\nsys yes\n", "6.18.44", "tcg");
    assertThat(vm.ownKernel()).isTrue();
    assertThat(vm.capEffCount()).isEqualTo(41);
    assertThat(vm.userNamespace()).isTrue();
    assertThat(vm.sysWritable()).isTrue();
    assertThat(vm.acceleratorMeaning()).contains("TCG");
  }

  /** The scripts run as they are written: the workload with the host's busybox gives three positive times. */
  @Test
  void theWorkloadAndFactsScriptsRunWithBusybox(@TempDir Path dir) throws Exception {
    Path busybox = Path.of("/bin/busybox");
    Assumptions.assumeTrue(Files.isExecutable(busybox), "busybox-static is not installed");
    Map<String, Double> d = Scripts.durations(sh(busybox, Scripts.workload(dir.toString(), 1, 1000)));
    assertThat(d).containsOnlyKeys("hash", "io", "syscalls");
    assertThat(d.values()).allSatisfy(s -> assertThat(s).isPositive().isLessThan(60.0));
    assertThat(dir).isEmptyDirectory(); // it cleans up its files

    IsolationFacts f = Scripts.facts(sh(busybox, Scripts.FACTS), System.getProperty("os.version"), "none");
    assertThat(f.kernel()).isEqualTo(System.getProperty("os.version"));
    assertThat(f.ownKernel()).isFalse();
    assertThat(f.capBnd()).matches("[0-9a-f]{16}");
  }

  private static String sh(Path busybox, String script) throws Exception {
    Process p = new ProcessBuilder(busybox.toString(), "sh", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
