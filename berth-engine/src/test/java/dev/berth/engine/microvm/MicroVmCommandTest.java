package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MicroVmCommandTest {
  private static final String ID = "0123456789abcdef".repeat(4);

  private static List<String> build(String accel, Path rootfs) {
    return build(accel, rootfs, List.of());
  }

  private static List<String> build(String accel, Path rootfs, List<GuestInterface> interfaces) {
    MicroVmPaths paths = new MicroVmPaths(Path.of("/data/containers/" + ID + "/vm"), Path.of("/run/berth/microvm/0123"));
    BootAssets assets = new BootAssets(Path.of("/data/microvm/assets/k/vmlinux"),
        Path.of("/data/microvm/assets/k/initramfs.cpio"), "6.1.0-56-amd64", Path.of("/boot/vmlinuz-6.1.0-56-amd64"));
    return MicroVmCommand.build("/usr/bin/qemu-system-x86_64", new MicroVmSpec(ID, rootfs, paths, assets, accel,
        2_400_000, 2, 256, interfaces));
  }

  private static String after(List<String> cmd, String option) {
    return cmd.get(cmd.indexOf(option) + 1);
  }

  @Test
  void underTcgTheMicrovmGetsThePitAndTheHostsTscRate() {
    List<String> cmd = build("tcg", Path.of("/data/containers/" + ID + "/rootfs"));

    assertThat(after(cmd, "-machine")).isEqualTo("microvm,pit=on,memory-backend=ram");
    // guest RAM in a memfd: 4 KiB pages, not transparent huge pages zeroed 2 MiB at a time (decision 3700)
    assertThat(after(cmd, "-object")).isEqualTo("memory-backend-memfd,id=ram,size=256M");
    assertThat(after(cmd, "-append")).contains("tsc_early_khz=2400000").contains("console=ttyS0");
    assertThat(after(cmd, "-cpu")).isEqualTo("max,-erms"); // no byte-at-a-time rep movsb/stosb under TCG
    assertThat(after(cmd, "-accel")).isEqualTo("tcg,tb-size=24"); // not QEMU's 1 GiB translation buffer
    assertThat(after(cmd, "-kernel")).endsWith("/vmlinux"); // the uncompressed kernel: no decompression in the guest
    assertThat(after(cmd, "-m")).isEqualTo("256M");
    assertThat(after(cmd, "-append")).contains("lockdown=confidentiality"); // no tracefs event files: 8 MiB of slab
    assertThat(after(cmd, "-smp")).isEqualTo("2");
    // a guest panic's reboot ends QEMU too; it runs detached with a pidfile
    assertThat(cmd).contains("-no-reboot", "-daemonize");
    assertThat(String.join(" ", cmd)).contains(ID); // how reconcile recognises the process
  }

  @Test
  void underKvmTheHostCpuAndNoTcgHints() {
    List<String> cmd = build("kvm", Path.of("/r"));
    assertThat(after(cmd, "-machine")).isEqualTo("microvm");
    assertThat(cmd).doesNotContain("-object"); // KVM keeps anonymous RAM: huge pages serve its guest (EPT)
    assertThat(after(cmd, "-cpu")).isEqualTo("host");
    assertThat(after(cmd, "-accel")).isEqualTo("kvm");
    assertThat(after(cmd, "-append")).doesNotContain("tsc_early_khz");
  }

  @Test
  void theRootfsAndTheConfigAreSharedAndWithoutTtyOrStdinTheOutputIsAShareOfItsOwn() {
    List<String> cmd = build("tcg", Path.of("/data/a,b/rootfs"));
    String all = String.join(" ", cmd);

    assertThat(all).contains("local,id=rootfs,path=/data/a,,b/rootfs,security_model=none") // commas doubled
        .contains("mount_tag=rootfs").contains("mount_tag=berth").contains(",readonly=on");
    assertThat(all).contains("socket,id=agent,path=/run/berth/microvm/0123/agent.sock,server=on,wait=off")
        .contains("virtserialport,chardev=agent,name=agent"); // the exec agent's port (the guest loads its driver on demand)
    // room for every port a container and its exec slots plug, and no more: the guest sets up
    // queues for each number (~60 KiB of guest RAM a pair on virtio-mmio)
    assertThat(cmd).contains("virtio-serial-device,max_ports=16");
    assertThat(all).doesNotContain("name=exit"); // the exit code comes on the serial console
    // stdout and stderr: files the guest writes on a writable share of their own, not ports (4 MiB of guest RAM each)
    assertThat(all).doesNotContain("name=stdout").doesNotContain("name=stderr");
    assertThat(cmd).containsSubsequence("-fsdev",
        "local,id=output,path=/data/containers/" + ID + "/vm/output,security_model=mapped-xattr",
        "-device", "virtio-9p-device,fsdev=output,mount_tag=output");
    // the guest's links and special files are plain files on the host; the share is not read-only
    assertThat(after(cmd.subList(cmd.indexOf("local,id=output,path=/data/containers/" + ID
        + "/vm/output,security_model=mapped-xattr") - 1, cmd.size()), "-fsdev")).doesNotContain("readonly");
  }

  @Test
  void eachInterfaceIsAVirtioNetDeviceOnItsTapWithTheCniMac() {
    List<String> cmd = build("tcg", Path.of("/r"), List.of(
        new GuestInterface("eth0", "3a:1f:00:aa:bb:01", "172.18.0.2", 16, Optional.of("172.18.0.1")),
        new GuestInterface("eth1", "3a:1f:00:aa:bb:02", "172.19.0.5", 24, Optional.empty())));

    assertThat(cmd).containsSubsequence("-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off",
        "-device", "virtio-net-device,netdev=net0,mac=3a:1f:00:aa:bb:01",
        "-netdev", "tap,id=net1,ifname=tap1,script=no,downscript=no,vhost=off",
        "-device", "virtio-net-device,netdev=net1,mac=3a:1f:00:aa:bb:02");
  }

  @Test
  void withoutInterfacesThereIsNoNetworkDevice() {
    assertThat(String.join(" ", build("tcg", Path.of("/r")))).doesNotContain("-netdev").doesNotContain("virtio-net");
  }

  @Test
  void aTtyIsTheOnlyConsoleAtBootAndLoggedAsStdoutStdinAPortOnlyWithoutOne() {
    MicroVmPaths paths = new MicroVmPaths(Path.of("/d/vm"), Path.of("/run/m"));
    BootAssets assets = new BootAssets(Path.of("/k"), Path.of("/i"), "6.1", Path.of("/boot/k"));
    List<String> tty = MicroVmCommand.build("qemu", new MicroVmSpec(ID, Path.of("/r"), paths, assets, "tcg", 0, 1, 128,
        List.of(), List.of(new GuestMount.Share(Path.of("/v"), "/data", true)), true, false));
    List<String> stdin = MicroVmCommand.build("qemu", new MicroVmSpec(ID, Path.of("/r"), paths, assets, "tcg", 0, 1, 128,
        List.of(), List.of(), false, true));
    List<String> plain = MicroVmCommand.build("qemu", new MicroVmSpec(ID, Path.of("/r"), paths, assets, "tcg", 0, 1, 128,
        List.of(), List.of(), false, false));

    // hvc0 in the guest: the only console at boot (exec slots' consoles are plugged later)
    assertThat(tty.stream().filter(a -> a.startsWith("virtconsole,")).toList())
        .containsExactly("virtconsole,chardev=tty,name=tty");
    assertThat(tty).contains("socket,id=tty,path=/run/m/tty.sock,server=on,wait=off,logfile=/d/vm/stdout.raw,logappend=on");
    assertThat(String.join(" ", tty)).doesNotContain("name=stdin").contains("mount_tag=vol0");
    // its output goes through that console: no stdout and stderr ports (8 MiB of guest buffers)
    assertThat(String.join(" ", tty)).doesNotContain("name=stdout").doesNotContain("name=stderr");
    assertThat(String.join(" ", stdin)).contains("name=stdout").contains("name=stderr")
        .contains("file,id=stdout,path=/d/vm/stdout.raw").doesNotContain("mount_tag=output");
    assertThat(String.join(" ", tty)).doesNotContain("mount_tag=output");
    assertThat(String.join(" ", plain)).contains("mount_tag=output").doesNotContain("name=stdout");
    assertThat(stdin).contains("virtserialport,chardev=stdin,name=stdin").noneMatch(a -> a.startsWith("virtconsole"));
    // each port costs the guest buffers: none for what the container did not ask
    assertThat(String.join(" ", plain)).doesNotContain("name=stdin").doesNotContain("virtconsole");
  }

  @Test
  void anExecSlotsPortsArePluggedAsQemuListeningSockets() {
    assertThat(ExecSlots.chardev("x1t", "/run/m/x1t.sock").toString()).isEqualTo("{\"id\":\"x1t\",\"backend\":"
        + "{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"/run/m/x1t.sock\"}},"
        + "\"server\":true,\"wait\":false}}}");
    assertThat(ExecSlots.streams(true)).containsExactly('t', 'x');
    assertThat(ExecSlots.streams(false)).containsExactly('i', 'o', 'e', 'x');
  }
}
