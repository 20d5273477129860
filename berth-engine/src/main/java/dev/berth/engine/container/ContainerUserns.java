package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.sys.LinuxFs;
import dev.berth.engine.userns.NamespaceHolder;
import dev.berth.engine.userns.Remapping;
import dev.berth.engine.userns.ShiftedLayers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container under the daemon's {@code --userns-remap}: dockerd's refusals at create, the
 * container's own files owned by the remapped root, shifted layers as lowerdirs and a user
 * namespace in the spec. A container with {@code --userns=host} (or in a microVM) is not
 * remapped; without a remapping nothing here changes anything. Decision 2000.
 */
final class ContainerUserns {
  private static final Pattern PROC_NS = Pattern.compile("/proc/([0-9]+)/ns/[a-z]+");

  private final Optional<Remapping> remapping;
  private final Optional<ShiftedLayers> layers;

  ContainerUserns(Optional<Remapping> remapping, Path dataRoot) {
    this.remapping = remapping;
    this.layers = remapping.map(r -> ShiftedLayers.open(dataRoot, r));
  }

  /** The daemon's remapping, if any. */
  Optional<Remapping> remapping() {
    return remapping;
  }

  boolean remapped(ContainerConfig c) {
    return remapping.isPresent() && !c.host().usernsMode().equals("host") && !VmIsolation.isVm(c);
  }

  /** dockerd 20.10's words for what a user namespace cannot do (verifyPlatformContainerSettings). */
  void check(ContainerConfig c) {
    if (!remapped(c)) {
      return;
    }
    if (c.privileged()) {
      throw new BerthException.InvalidArgument("privileged mode is incompatible with user namespaces.  You must run "
          + "the container in the host namespace when running privileged mode");
    }
    if (c.networkMode().equals("host")) {
      throw new BerthException.InvalidArgument(
          "cannot share the host's network namespace when user namespaces are enabled");
    }
    if (c.host().pidMode().equals("host")) {
      throw new BerthException.InvalidArgument("cannot share the host PID namespace when user namespaces are enabled");
    }
  }

  /** The upper dir (the rootfs' top directory) and /etc files belong to the remapped root, so it may write them. */
  void prepare(Path dir, ContainerConfig c) throws IOException {
    if (!remapped(c)) {
      return;
    }
    Remapping r = remapping.orElseThrow();
    for (String name : List.of("upper", "hosts", "hostname", "resolv.conf")) {
      Path p = dir.resolve(name);
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        LinuxFs.lchown(p, r.rootUid(), r.rootGid());
      }
    }
  }

  /** The lowerdir of a layer for this container: the shared one, or its copy shifted into the remapping. */
  Path lowerDir(ContainerConfig c, String chainId, Path unshifted) {
    return remapped(c) ? layers.orElseThrow().diffDir(chainId, unshifted) : unshifted;
  }

  /** For a remapped container: its user namespace and the network namespace it owns, held until its create. */
  Optional<NamespaceHolder> holder(ContainerConfig c) {
    return remapped(c) ? Optional.of(NamespaceHolder.start(remapping.orElseThrow())) : Optional.empty();
  }

  /**
   * The user namespace of {@code holder} (with the remapping's ids, which runc still needs).
   * Where the spec joins another container's namespace (--pid/--ipc/--uts/--network
   * container:X), that container's user namespace is joined instead, as dockerd does: a
   * namespace owned by another user namespace cannot be used from a new one.
   */
  Spec apply(Spec s, ContainerConfig c, Optional<NamespaceHolder> holder, Function<String, Container> find) {
    if (!remapped(c)) {
      return s;
    }
    Remapping r = remapping.orElseThrow();
    Linux l = s.linux();
    String userPath = holder.map(h -> h.userns().toString()).orElse(null);
    List<String> donorPids = new ArrayList<>();
    for (Namespace n : l.namespaces()) {
      Matcher m = n.path() == null ? null : PROC_NS.matcher(n.path());
      if (m != null && m.matches()) {
        donorPids.add(m.group(1));
      }
    }
    if (c.networkMode().startsWith("container:")
        && find.apply(c.networkMode().substring("container:".length())).state() instanceof ContainerState.Running d) {
      donorPids.add(Integer.toString(d.pid())); // its namespace is joined by the netns file's path
    }
    for (String pid : donorPids) {
      if (!remappedProcess(pid)) {
        throw new BerthException.InvalidArgument("cannot join the namespaces of a container that runs without a user "
            + "namespace (--userns=host) from a remapped one: give this container --userns=host too");
      }
      userPath = "/proc/" + pid + "/ns/user";
    }
    List<Namespace> ns = new ArrayList<>(l.namespaces().stream().filter(n -> !n.type().equals("user")).toList());
    ns.add(new Namespace("user", userPath));
    Linux linux = new Linux(r.uids(), r.gids(), l.sysctl(), l.resources(), l.cgroupsPath(), ns, l.devices(),
        l.seccomp(), l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths());
    return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), linux,
        s.annotations());
  }

  /** Whether the process lives in a user namespace other than berthd's. */
  private static boolean remappedProcess(String pid) {
    try {
      return !Files.readSymbolicLink(Path.of("/proc", pid, "ns", "user"))
          .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
    } catch (IOException e) {
      return false;
    }
  }
}
