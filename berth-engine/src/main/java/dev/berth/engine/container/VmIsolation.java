package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestCommand;
import dev.berth.engine.runtime.spec.User;
import java.util.ArrayList;
import java.util.List;

/**
 * The container side of {@code --isolation=vm}: which containers boot a microVM, what they may
 * not ask for (yet), and the command the guest init runs.
 */
final class VmIsolation {
  static final List<String> VALUES = List.of("process", "vm");

  private VmIsolation() {}

  static boolean isVm(ContainerConfig c) {
    return "vm".equals(c.isolation());
  }

  /** Rejects an unknown isolation and the options a microVM container cannot honour. */
  static void validate(ContainerConfig c) {
    if (!VALUES.contains(c.isolation())) {
      throw new BerthException.InvalidArgument("invalid isolation \"" + c.isolation()
          + "\": use " + String.join(" or ", VALUES) + " (process is the default)");
    }
    if (!isVm(c)) {
      return;
    }
    if (c.networkMode().equals("host")) {
      throw new BerthException.InvalidArgument("--isolation=vm cannot use --network host: the microVM has its own "
          + "kernel and network stack; use the default bridge or a user network (--network NAME) and -p to publish");
    }
    if (c.networkMode().startsWith("container:")) {
      throw new BerthException.InvalidArgument("--isolation=vm cannot use --network " + c.networkMode()
          + ": the microVM's kernel cannot share another container's network stack; put both on a user network");
    }
    if (c.readonlyRootfs()) {
      throw new BerthException.InvalidArgument("--isolation=vm does not support --read-only yet");
    }
  }

  /**
   * Whether the container asked for what loading eBPF programs takes (--privileged, or CAP_BPF,
   * CAP_SYS_ADMIN or ALL added): its guest then boots the kernel with its BTF, without which the
   * guest kernel's verifier refuses every program; the others boot without it (decision 3700).
   */
  static boolean mayLoadBpf(ContainerConfig c) {
    return c.privileged() || c.capAdd().stream()
        .map(cap -> cap.toUpperCase(java.util.Locale.ROOT).replaceFirst("^CAP_", ""))
        .anyMatch(cap -> cap.equals("BPF") || cap.equals("SYS_ADMIN") || cap.equals("ALL"));
  }

  /** What the guest runs: Docker's env (HOSTNAME first), the command, workdir and the resolved user. */
  static GuestCommand guestCommand(ContainerConfig c, User user) {
    List<String> env = new ArrayList<>();
    env.add("HOSTNAME=" + c.hostname());
    env.addAll(c.env());
    return new GuestCommand(env, c.args(), c.workingDir(), user.uid(), user.gid());
  }

  static BerthException.InvalidArgument unsupported(Container c, String what) {
    return new BerthException.InvalidArgument(what + " is not supported for container " + c.shortId()
        + ": it runs with --isolation=vm");
  }
}
