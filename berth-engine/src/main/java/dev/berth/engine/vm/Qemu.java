package dev.berth.engine.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.sys.KvmProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The QEMU driver: finds qemu-system-x86_64 and qemu-img, picks KVM or TCG, builds QEMU's
 * command line and runs qemu-img. QEMU runs with {@code -daemonize}, so VMs outlive berthd.
 */
public final class Qemu {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private final Path system;
  private final Path img;
  private final String version;

  private Qemu(Path system, Path img, String version) {
    this.system = system;
    this.img = img;
    this.version = version;
  }

  /** Finds both binaries on PATH; Unavailable naming the Debian package when one is missing. */
  public static Qemu locate() {
    return locate(System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin") + ":/usr/bin:/usr/local/bin");
  }

  /** {@link #locate()} on an explicit search path (tests). */
  public static Qemu locate(String searchPath) {
    Path system = onPath("qemu-system-x86_64", searchPath).orElseThrow(() -> new BerthException.Unavailable(
        "qemu-system-x86_64 not found on PATH; install QEMU (Debian: apt-get install qemu-system-x86)"));
    Path img = onPath("qemu-img", searchPath).orElseThrow(() -> new BerthException.Unavailable(
        "qemu-img not found on PATH; install it (Debian: apt-get install qemu-utils)"));
    String out = run(List.of(system.toString(), "--version"), "qemu-system-x86_64 --version");
    Matcher m = Pattern.compile("version (\\S+)").matcher(out);
    return new Qemu(system, img, m.find() ? m.group(1) : out.lines().findFirst().orElse("unknown"));
  }

  static Optional<Path> onPath(String name) {
    return onPath(name, System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin") + ":/usr/bin:/usr/local/bin");
  }

  static Optional<Path> onPath(String name, String searchPath) {
    for (String dir : searchPath.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public String version() {
    return version;
  }

  public Path systemBinary() {
    return system;
  }

  /**
   * The accelerator for {@code requested} (auto, kvm or tcg). auto is kvm when /dev/kvm is a
   * KVM device that answers (see {@link KvmProbe}), else tcg; berthd's environment may override auto with
   * BERTH_VM_ACCEL, for hosts whose /dev/kvm opens but cannot run guests (broken nesting).
   */
  public static String accelerator(String requested) {
    String r = requested == null ? "auto" : requested;
    if (r.equals("auto")) {
      r = System.getenv().getOrDefault("BERTH_VM_ACCEL", "auto");
    }
    return switch (r) {
      case "tcg" -> "tcg";
      case "kvm" -> {
        KvmProbe.Result kvm = KvmProbe.probe();
        if (!kvm.usable()) {
          throw new BerthException.Unavailable("KVM was asked for but " + kvm.reason()
              + "; load the kvm module and check permissions, or use --accel tcg");
        }
        yield "kvm";
      }
      default -> KvmProbe.probe().usable() ? "kvm" : "tcg";
    };
  }

  public static String accelerator() {
    return accelerator("auto");
  }

  static String checkAccel(String requested) {
    String r = requested == null || requested.isBlank() ? "auto" : requested.strip();
    if (!r.equals("auto") && !r.equals("kvm") && !r.equals("tcg")) {
      throw new BerthException.InvalidArgument("invalid --accel \"" + requested + "\": use auto, kvm or tcg");
    }
    return r;
  }

  /** The host's TSC rate in kHz from /proc/cpuinfo, 0 when unknown; microvm under TCG needs it. */
  public static long hostKhz() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("cpu MHz")) {
          return (long) (Double.parseDouble(line.substring(line.indexOf(':') + 1).strip()) * 1000);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown: the kernel calibrates by itself
    }
    return 0;
  }

  /** The kernel command line QEMU gets: the user's, plus a serial console and TCG hints. */
  static String kernelAppend(VmConfig config, String accel, long hostKhz) {
    List<String> args = new ArrayList<>();
    String user = config.append() == null ? "" : config.append().strip();
    if (!user.contains("console=")) {
      args.add("console=ttyS0");
    }
    if (config.machine().equals("microvm") && accel.equals("tcg") && hostKhz > 0
        && !user.contains("tsc_early_khz=")) {
      // microvm under TCG can hang calibrating the TSC (see platform notes).
      args.add("tsc_early_khz=" + hostKhz);
    }
    if (!user.isEmpty()) {
      args.add(user);
    }
    return String.join(" ", args);
  }

  /** QEMU's full command line for {@code vm}; detached, with QMP and the serial console on sockets. */
  public List<String> commandLine(Vm vm, String accel, long hostKhz) {
    return commandLine(system.toString(), vm, accel, hostKhz, null);
  }

  /** As above, with {@code netArgs} (taps of Berth's networks) in place of QEMU's user-mode network. */
  List<String> commandLine(Vm vm, String accel, long hostKhz, List<String> netArgs) {
    return commandLine(system.toString(), vm, accel, hostKhz, netArgs);
  }

  static List<String> commandLine(String binary, Vm vm, String accel, long hostKhz) {
    return commandLine(binary, vm, accel, hostKhz, null);
  }

  static List<String> commandLine(String binary, Vm vm, String accel, long hostKhz, List<String> netArgs) {
    VmConfig c = vm.config();
    boolean micro = c.machine().equals("microvm");
    String bus = micro ? "device" : "pci";
    List<String> cmd = new ArrayList<>(List.of(binary,
        "-name", "berth-" + vm.name(),
        "-machine", micro ? (accel.equals("tcg") ? "microvm,pit=on" : "microvm") : "q35",
        "-accel", accel,
        "-cpu", accel.equals("kvm") ? "host" : "max",
        "-smp", Integer.toString(c.cpus()),
        "-m", (c.memoryBytes() >> 20) + "M",
        "-nodefaults", "-no-user-config", "-display", "none",
        "-daemonize", "-pidfile", vm.pidFile().toString(),
        "-qmp", "unix:" + vm.qmpSocket() + ",server=on,wait=off",
        // The serial console: a socket for `console`, and a log file (in the data dir, so logs
        // outlive a reboot of the host) for `logs`. The log path holds the full VM ID, which is
        // how reconcile recognises this process in /proc/<pid>/cmdline.
        "-chardev", "socket,id=ser0,path=" + vm.consoleSocket() + ",server=on,wait=off,logfile="
            + vm.serialLog() + ",logappend=on",
        "-serial", "chardev:ser0"));
    if (c.kernel() != null) {
      cmd.addAll(List.of("-kernel", c.kernel()));
      if (c.initrd() != null) {
        cmd.addAll(List.of("-initrd", c.initrd()));
      }
      cmd.addAll(List.of("-append", kernelAppend(c, accel, hostKhz)));
    }
    if (c.disk() != null) {
      cmd.addAll(List.of("-drive", "id=disk0,if=none,file=" + escape(c.disk()) + ",format=" + c.diskFormat(),
          "-device", "virtio-blk-" + bus + ",drive=disk0"));
    }
    if (c.seed() != null) {
      cmd.addAll(List.of("-drive", "id=seed0,if=none,readonly=on,file=" + escape(c.seed()) + ",format=raw",
          "-device", "virtio-blk-" + bus + ",drive=seed0"));
    }
    if (netArgs != null) {
      cmd.addAll(netArgs);
      return cmd;
    }
    StringBuilder net = new StringBuilder("user,id=n0");
    for (PortMapping p : c.ports()) {
      net.append(",hostfwd=tcp:127.0.0.1:").append(p.hostPort()).append("-:").append(p.guestPort());
    }
    cmd.addAll(List.of("-netdev", net.toString(), "-device", "virtio-net-" + bus + ",netdev=n0"));
    return cmd;
  }

  /** QEMU's option syntax doubles commas inside values. */
  static String escape(String value) {
    return value.replace(",", ",,");
  }

  /** Runs QEMU; it daemonizes once set up, so a non-zero exit carries its reason on stderr. */
  public void launch(List<String> command) {
    run(command, "qemu-system-x86_64");
  }

  /** Creates an empty qcow2 image of {@code bytes}. */
  public void createDisk(Path file, long bytes) {
    run(List.of(img.toString(), "create", "-q", "-f", "qcow2", file.toString(), Long.toString(bytes)),
        "qemu-img create");
  }

  /** Creates a qcow2 overlay over {@code base}; writes go to the overlay, the base stays as it is. */
  public void createOverlay(Path file, Path base, String baseFormat) {
    run(List.of(img.toString(), "create", "-q", "-f", "qcow2", "-F", baseFormat, "-b", base.toString(),
        file.toString()), "qemu-img create (overlay)");
  }

  /** The image's format as qemu-img detects it (qcow2, raw, ...). */
  public String imageFormat(Path file) {
    return info(file.toString()).path("format").asText("raw");
  }

  /** qemu-img info as JSON; {@code -U} so it also reads the disk of a running VM. */
  JsonNode info(String file) {
    String out = run(List.of(img.toString(), "info", "--output=json", "-U", file), "qemu-img info");
    try {
      return JSON.readTree(out);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("cannot read the image " + file + ": " + e.getMessage());
    }
  }

  /** A standalone qcow2 copy of {@code file}: its backing chain merged in, without its snapshots. */
  void convert(String file, Path target) {
    run(List.of(img.toString(), "convert", "-U", "-O", "qcow2", file, target.toString()), "qemu-img convert");
  }

  /** qemu-img snapshot {@code op} (-c create, -a apply, -d delete) on a disk no QEMU has open. */
  void snapshot(String file, String op, String name) {
    run(List.of(img.toString(), "snapshot", op, name, file), "qemu-img snapshot " + op);
  }

  /** Runs a tool to its end; its stdout, or InvalidArgument with its stderr (bad input is the usual cause). */
  static String run(List<String> command, String what) {
    try {
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      // Read both streams on virtual threads so a chatty tool cannot block on a full pipe.
      StringBuilder stdout = new StringBuilder();
      StringBuilder stderr = new StringBuilder();
      Thread o = Thread.ofVirtual().start(() -> stdout.append(readAll(p.getInputStream())));
      Thread e = Thread.ofVirtual().start(() -> stderr.append(readAll(p.getErrorStream())));
      if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new BerthException.Unavailable(what + " did not finish within " + TOOL_TIMEOUT.toSeconds() + "s");
      }
      o.join();
      e.join();
      if (p.exitValue() != 0) {
        throw new BerthException.InvalidArgument(what + " failed: " + stderr.toString().strip());
      }
      return stdout.toString();
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot run " + command.getFirst() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable(what + " interrupted");
    }
  }

  private static String readAll(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
