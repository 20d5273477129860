package dev.berth.engine.microvm;

import java.util.ArrayList;
import java.util.List;

/** QEMU's command line for a microVM container: pure, so it is tested without QEMU. */
public final class MicroVmCommand {
  private MicroVmCommand() {}

  /**
   * Probes the microvm machine has nothing for (PCI, the i8042 controller, extra UARTs) and the
   * crypto self-tests are skipped: under TCG each costs boot time (together about a tenth).
   * Lockdown (confidentiality) keeps the 6.1 kernel from creating tracefs's ~10,000 event files at
   * boot: 8 MiB of guest slab (inodes, dentries); a container has no use for tracing the guest
   * kernel, nor for /dev/mem, kcore or unsigned modules (decisions 2250, 2600).
   */
  static final List<String> BOOT_ARGS = List.of("console=ttyS0", "quiet", "panic=-1", "rdinit=/init", "pci=off",
      "8250.nr_uarts=1", "i8042.noaux", "i8042.nomux", "i8042.nopnp", "i8042.dumbkbd", "cryptomgr.notests",
      "random.trust_cpu=on", "lockdown=confidentiality");

  /** The guest kernel's command line. */
  static String append(String accel, long hostKhz) {
    List<String> args = new ArrayList<>(BOOT_ARGS);
    if (accel.equals("tcg")) {
      args.add("nokaslr"); // relocating the kernel is slow when emulated
      if (hostKhz > 0) {
        args.add("tsc_early_khz=" + hostKhz); // microvm under TCG can hang calibrating the TSC
      }
    }
    return String.join(" ", args);
  }

  /**
   * TCG's translation buffer: QEMU's default is 1 GiB, and the pages it fills stay resident;
   * a boot and an idle guest fill ~45 MiB of it. Below ~28 MiB the boot fills it and QEMU flushes
   * and translates the hot code again: QEMU's CPU for a container's boot, by hand, 16 / 20 / 24 /
   * 28 MiB: 1.91 / 1.85 / 1.75 / 1.64 s, each 4 MiB more resident. 24 MiB keeps an idle
   * container's RSS at main's (136 MiB) with the memfd RAM below and no BTF, 7 MiB under the
   * 150 MB goal (decisions 2200, 3100, 3300, 3700).
   */
  static final int TCG_TB_MIB = 24;

  /**
   * The virtio-serial device's port numbers: 0 (kept for a console), the main process's terminal
   * or stdin, stdout, stderr, agent, and each exec slot's five (one spare). QEMU's default is 31, and
   * the guest sets up a receive and a transmit queue for every number at once (on virtio-mmio
   * 1,024 entries each, ~60 KiB of guest RAM a pair) whether a port is there or not (decision 3100).
   */
  static final int SERIAL_PORTS = 1 + 1 + 4 + ExecSlots.MAX * 5;

  /**
   * The emulated CPU under TCG: QEMU's "max" without ERMS ("fast" rep movsb/stosb). With ERMS the
   * guest kernel copies and clears memory (pages, module images, queue buffers) with rep movsb and
   * rep stosb, which TCG runs one byte per iteration; without it the kernel uses rep movsq/stosq,
   * eight bytes per iteration. A container's boot then costs ~0.2 s less host CPU, the bare
   * kernel's boot about the same (decision 3300). ERMS is a speed hint only: no program needs it.
   */
  static final String TCG_CPU = "max,-erms";

  /** The -accel value: KVM as it is, TCG with a bounded translation buffer. */
  static String accel(String accel) {
    return accel.equals("tcg") ? "tcg,tb-size=" + TCG_TB_MIB : accel;
  }

  public static List<String> build(String binary, MicroVmSpec s) {
    MicroVmPaths p = s.paths();
    List<String> cmd = new ArrayList<>(List.of(binary,
        "-name", "berth-ctr-" + s.id().substring(0, 12),
        "-machine", s.accel().equals("tcg") ? "microvm,pit=on,memory-backend=ram" : "microvm",
        "-accel", accel(s.accel()),
        "-cpu", s.accel().equals("kvm") ? "host" : TCG_CPU,
        "-smp", Integer.toString(s.cpus()),
        "-m", s.memoryMib() + "M"));
    if (s.accel().equals("tcg")) {
      // Guest RAM in a memfd (shared memory: no transparent huge pages unless the host's
      // /sys/kernel/mm/transparent_hugepage/shmem_enabled asks for them; Debian: never) rather than
      // anonymous memory that QEMU marks MADV_HUGEPAGE: each 2 MiB huge page is zeroed whole at its
      // first touch, and on a host whose free memory is given back to its own hypervisor that made
      // QEMU's start (loading the kernel) 150-250 ms instead of 60-90, and left 4 MiB more resident.
      // TCG's software TLB maps 4 KiB pages anyway; KVM keeps anonymous RAM, whose huge pages its
      // guest's page walks gain from. -machine memory-backend needs QEMU 5.0 (Debian 12 has 7.2; decision 3700).
      cmd.addAll(List.of("-object", "memory-backend-memfd,id=ram,size=" + s.memoryMib() + "M"));
    }
    cmd.addAll(List.of(
        "-nodefaults", "-no-user-config", "-display", "none",
        // The guest powers off when its command ended, and a panic reboots it: either way QEMU exits.
        "-no-reboot",
        "-daemonize", "-pidfile", p.pidFile().toString(),
        "-qmp", "unix:" + p.qmpSocket() + ",server=on,wait=off",
        // The serial console: kernel and init messages to a log; signal numbers from berthd to the init.
        "-chardev", "socket,id=ser0,path=" + escape(p.consoleSocket().toString()) + ",server=on,wait=off,logfile="
            + escape(p.serialLog().toString()) + ",logappend=on",
        "-serial", "chardev:ser0",
        "-kernel", s.assets().kernel().toString(),
        "-initrd", s.assets().initramfs().toString(),
        "-append", append(s.accel(), s.hostKhz()),
        "-device", "virtio-serial-device,max_ports=" + SERIAL_PORTS));
    // With stdin (-i) QEMU writes the stdout and stderr ports' bytes to files in the data dir (the
    // container's full ID is in these paths): the output survives a berthd restart, and berthd's
    // pump turns it into the log. The exit code comes on the serial console (GuestExitLine): a port
    // would cost the guest ~4 MiB. With a terminal the output goes through the console below.
    // Without either, the guest writes the two files itself over the output share (below).
    for (String[] port : !s.stdin() ? List.<String[]>of() : List.of(new String[] {"stdout", p.stdout().toString()},
        new String[] {"stderr", p.stderr().toString()})) {
      cmd.addAll(List.of("-chardev", "file,id=" + port[0] + ",path=" + escape(port[1]),
          "-device", "virtserialport,chardev=" + port[0] + ",name=" + port[0]));
    }
    // The exec agent: a socket berthd connects to per exec (see GuestAgent). Without a terminal
    // or stdin the guest loads virtio-serial only when berthd first asks for the agent: until
    // then the device and its port cost the guest nothing (decision 3400).
    cmd.addAll(List.of("-chardev", "socket,id=agent,path=" + escape(p.agentSocket().toString()) + ",server=on,wait=off",
        "-device", "virtserialport,chardev=agent,name=agent"));
    // The main process's terminal (-t) is a virtio console, the guest's hvc0 (the only console
    // at boot); QEMU also writes its output to the stdout file, for the pump and the log. Its
    // stdin without a terminal (-i) is a port. Each costs the guest ~4 MiB of buffers: only when asked.
    if (s.tty()) {
      cmd.addAll(List.of("-chardev", "socket,id=tty,path=" + escape(p.mainTtySocket().toString())
          + ",server=on,wait=off,logfile=" + escape(p.stdout().toString()) + ",logappend=on",
          "-device", "virtconsole,chardev=tty,name=tty"));
    } else if (s.stdin()) {
      cmd.addAll(List.of("-chardev", "socket,id=stdin,path=" + escape(p.stdinSocket().toString())
          + ",server=on,wait=off", "-device", "virtserialport,chardev=stdin,name=stdin"));
    }
    cmd.addAll(List.of(
        "-fsdev", "local,id=rootfs,path=" + escape(s.rootfs().toString()) + ",security_model=none",
        "-device", "virtio-9p-device,fsdev=rootfs,mount_tag=rootfs",
        "-fsdev", "local,id=berth,path=" + escape(p.share().toString()) + ",security_model=none,readonly=on",
        "-device", "virtio-9p-device,fsdev=berth,mount_tag=berth"));
    if (lazySerial(s)) {
      // The guest's stdout and stderr files (its relay writes them; OutputPump reads them). The
      // guest is not trusted with it: "mapped-xattr" makes whatever links, FIFOs or device nodes it
      // creates plain files on the host; the pump reads only regular files, never through a link.
      cmd.addAll(List.of("-fsdev", "local,id=output,path=" + escape(p.outputDir().toString())
          + ",security_model=mapped-xattr", "-device", "virtio-9p-device,fsdev=output,mount_tag=output"));
    }
    cmd.addAll(GuestMount.qemuArgs(s.mounts()));
    cmd.addAll(GuestNetwork.qemuArgs(s.interfaces()));
    return cmd;
  }

  /**
   * Whether the guest boots without virtio-serial's driver: a container without a terminal and
   * without stdin, whose output goes over the output share (decision 3400).
   */
  static boolean lazySerial(MicroVmSpec s) {
    return !s.tty() && !s.stdin();
  }

  /** QEMU's option syntax doubles commas inside values. */
  static String escape(String value) {
    return value.replace(",", ",,");
  }
}
