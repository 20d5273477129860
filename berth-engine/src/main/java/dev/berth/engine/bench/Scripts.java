package dev.berth.engine.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell the bench runs inside an instance and, for the floor, on the host, with the same
 * busybox binary: every tool is called as {@code busybox APPLET} so the host's own tools never stand in.
 * Times are taken inside, around each step, from adjtimex (µs) or, where that is refused, /proc/uptime (10 ms).
 */
final class Scripts {
  private Scripts() {}

  /** Prints the clock in seconds. */
  private static final String CLOCK = "st() { busybox adjtimex 2>/dev/null | busybox awk"
      + " '/time.tv_sec/{s=$2} /time.tv_usec/{u=$2} END{if (s != \"\") printf \"%s.%06d\\n\", s, u}'"
      + " | busybox grep . || busybox cut -d' ' -f1 /proc/uptime; }\n";

  /** Prints "ready" once, then serves {@link Instances#SERVER_PORT}: each connection's bytes are counted and the count sent back. */
  static final String SERVER = "echo ready; exec busybox nc -ll -p " + Instances.SERVER_PORT + " -e busybox wc -c";

  /** Prints "ready" once and sleeps: the idle instance of the memory and density measurements. */
  static final String IDLE = "echo ready; exec busybox sleep 100000";

  /**
   * The fixed workload in {@code dir}: hash a generated file, write (fsync) and read back a file,
   * a syscall loop (1-byte dd: one read and one write each). One line per step: name, start, end.
   */
  static String workload(String dir, int mib, int syscalls) {
    return CLOCK
        + "D=" + dir + "\n"
        + "busybox dd if=/dev/zero of=$D/bench.in bs=1048576 count=" + mib + " 2>/dev/null || exit 3\n"
        + "a=$(st); busybox sha256sum $D/bench.in >/dev/null || exit 4; b=$(st); echo \"hash $a $b\"\n"
        + "a=$(st); busybox dd if=/dev/zero of=$D/bench.io bs=1048576 count=" + mib + " conv=fsync 2>/dev/null"
        + " && busybox dd if=$D/bench.io of=/dev/null bs=1048576 2>/dev/null || exit 5; b=$(st); echo \"io $a $b\"\n"
        + "a=$(st); busybox dd if=/dev/zero of=/dev/null bs=1 count=" + syscalls + " 2>/dev/null || exit 6;"
        + " b=$(st); echo \"syscalls $a $b\"\n"
        + "busybox rm -f $D/bench.in $D/bench.io\n";
  }

  /** Sends {@code mib} MiB to the server at ip and prints start, end and the count the server sent back. */
  static String send(String ip, int mib) {
    return CLOCK
        + "a=$(st); n=$(busybox dd if=/dev/zero bs=65536 count=" + (mib * 16) + " 2>/dev/null | busybox nc " + ip + " "
        + Instances.SERVER_PORT + "); b=$(st); echo \"send $a $b $n\"\n";
  }

  /**
   * Facts about the isolation, one "name value…" line each. Writability comes from the mount
   * options in mountinfo: busybox's {@code test -w} answers yes to root whatever the mount says.
   */
  static final String FACTS = """
      echo "kernel $(busybox uname -r)"
      busybox grep -E '^(Seccomp|NoNewPrivs|CapEff|CapBnd):' /proc/self/status
      echo "uidmap $(busybox head -n 1 /proc/self/uid_map)"
      l=$(busybox wc -l < /proc/kallsyms 2>/dev/null); k=$(busybox grep -vc '^0000000000000000' /proc/kallsyms 2>/dev/null)
      echo "kallsyms ${l:-0} ${k:-0}"
      busybox awk '$5=="/proc"{p=$6} $5=="/proc/sys"{ps=$6} $5=="/sys"{s=$6} END{if (ps=="") ps=p; print "procsys " (ps ~ /^rw/ ? "yes" : "no"); print "sys " (s ~ /^rw/ ? "yes" : "no")}' /proc/self/mountinfo
      """;

  /** The seconds each named step took, from the workload's or send's lines. */
  static Map<String, Double> durations(String output) {
    Map<String, Double> out = new HashMap<>();
    for (String line : output.strip().split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length >= 3) {
        out.put(w[0], Double.parseDouble(w[2]) - Double.parseDouble(w[1]));
      }
    }
    return out;
  }

  /** The byte count the server sent back, the last word of the send line. */
  static long sentBytes(String output) {
    String[] w = output.strip().split("\\s+");
    return w.length >= 4 && !w[w.length - 1].isEmpty() ? Long.parseLong(w[w.length - 1]) : 0;
  }

  /** Facts from the {@link #FACTS} output. */
  static IsolationFacts facts(String output, String hostKernel, String accelerator) {
    Map<String, String> v = new HashMap<>();
    for (String line : output.strip().split("\n")) {
      String t = line.trim();
      int sp = t.indexOf(' ') > 0 ? t.indexOf(' ') : t.indexOf('\t');
      if (sp > 0) {
        v.put(t.substring(0, sp).replace(":", ""), t.substring(sp + 1).trim());
      }
    }
    String kernel = v.getOrDefault("kernel", "");
    String capEff = v.getOrDefault("CapEff", "0");
    List<String> uid = List.of(v.getOrDefault("uidmap", "").trim().split("\\s+"));
    boolean userns = !(uid.size() == 3 && uid.get(0).equals("0") && uid.get(1).equals("0"));
    String[] kallsyms = v.getOrDefault("kallsyms", "0 0").split("\\s+");
    return new IsolationFacts(kernel, !kernel.equals(hostKernel), intOf(v.get("Seccomp")), intOf(v.get("NoNewPrivs")),
        capEff, v.getOrDefault("CapBnd", ""), Long.bitCount(Long.parseUnsignedLong(capEff, 16)),
        String.join(" ", uid), userns, intOf(kallsyms[0]), kallsyms.length > 1 ? intOf(kallsyms[1]) : 0,
        "yes".equals(v.get("procsys")), "yes".equals(v.get("sys")), accelerator, acceleratorMeaning(accelerator));
  }

  static String acceleratorMeaning(String accelerator) {
    return switch (accelerator) {
      case "none" -> "a process on the host's CPU and kernel: nothing is emulated, its figures are the hardware's";
      case "kvm" -> "hardware virtualization (KVM): guest code runs on the CPU; exits to QEMU cost microseconds,"
          + " so CPU work is near the host's and boots take a fraction of a second";
      case "tcg" -> "TCG: no usable KVM here, so QEMU translates every guest instruction in software; CPU-bound"
          + " work and boots are many times slower than with KVM: these microVM figures are a worst case";
      default -> accelerator;
    };
  }

  private static int intOf(String s) {
    try {
      return s == null ? 0 : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
