package dev.berth.engine.microvm;

import java.nio.file.Path;
import java.util.List;

/**
 * A mount of a microVM container besides its rootfs, at {@code target}: the container path,
 * already resolved inside the rootfs (links followed there) and made as a directory by berthd.
 */
public sealed interface GuestMount {
  String target();

  /** A host directory (a volume or a bind) shared over virtio-9p; read-only in QEMU too when {@code readOnly}. */
  record Share(Path source, String target, boolean readOnly) implements GuestMount {}

  /** A tmpfs made by the guest kernel, with tmpfs options (size=, mode=, noexec…). */
  record Tmpfs(String target, List<String> options) implements GuestMount {
    public Tmpfs {
      options = List.copyOf(options);
    }
  }

  /** The 9p tag of the {@code index}th share. */
  static String tag(int index) {
    return "vol" + index;
  }

  /**
   * /berth/mounts for the guest init, one line per mount, in order: "9p TAG ro|rw TARGET" or
   * "tmpfs OPTIONS - TARGET" (the target last, so a space in it survives the shell's read).
   */
  static String guestConfig(List<GuestMount> mounts) {
    StringBuilder s = new StringBuilder();
    int share = 0;
    for (GuestMount m : mounts) {
      switch (m) {
        case Share sh -> s.append("9p ").append(tag(share++)).append(sh.readOnly() ? " ro " : " rw ");
        case Tmpfs t -> s.append("tmpfs ").append(t.options().isEmpty() ? "defaults" : String.join(",", t.options()))
            .append(" - ");
      }
      s.append(m.target()).append('\n');
    }
    return s.toString();
  }

  /** QEMU's devices for the shares. */
  static List<String> qemuArgs(List<GuestMount> mounts) {
    List<String> args = new java.util.ArrayList<>();
    int share = 0;
    for (GuestMount m : mounts) {
      if (m instanceof Share sh) {
        String tag = tag(share++);
        args.addAll(List.of("-fsdev", "local,id=" + tag + ",path=" + MicroVmCommand.escape(sh.source().toString())
            + ",security_model=none" + (sh.readOnly() ? ",readonly=on" : ""),
            "-device", "virtio-9p-device,fsdev=" + tag + ",mount_tag=" + tag));
      }
    }
    return args;
  }
}
