package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Spec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * --pid, --ipc and --uts {@code container:NAME}: the starting container joins that container's
 * namespaces through its process ({@code /proc/PID/ns/TYPE}), as dockerd does; the other must run.
 */
final class SharedNamespaces {
  private SharedNamespaces() {}

  /** The spec with the namespaces another container shares joined; the spec itself when none. */
  static Spec apply(Spec spec, ContainerConfig c, Function<String, Container> find) {
    HostOptions h = c.host();
    Spec s = spec;
    s = join(s, "pid", "PID", h.pidMode(), find);
    s = join(s, "uts", "UTS", h.utsMode(), find);
    Optional<Integer> ipcPid = donorPid("IPC", h.ipcMode(), find);
    if (ipcPid.isPresent()) {
      s = withNamespace(s, "ipc", "/proc/" + ipcPid.get() + "/ns/ipc");
      // the donor's /dev/shm, as Docker shares it (its tmpfs lives in the donor's mount namespace)
      List<Mount> mounts = new ArrayList<>(s.mounts().stream().filter(m -> !m.destination().equals("/dev/shm")).toList());
      mounts.add(new Mount("/dev/shm", "bind", "/proc/" + ipcPid.get() + "/root/dev/shm", List.of("rbind", "rprivate")));
      s = new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), mounts, s.linux(),
          s.annotations());
    }
    return s;
  }

  private static Spec join(Spec s, String type, String what, String mode, Function<String, Container> find) {
    Optional<Integer> pid = donorPid(what, mode, find);
    return pid.isEmpty() ? s : withNamespace(s, type, "/proc/" + pid.get() + "/ns/" + type);
  }

  private static Optional<Integer> donorPid(String what, String mode, Function<String, Container> find) {
    Optional<String> name = HostOptions.containerOf(mode);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Container other = find.apply(name.get());
    if (!(other.state() instanceof ContainerState.Running r)) {
      throw new BerthException.Conflict("cannot join " + what + " of a non running container: " + other.id());
    }
    return Optional.of(r.pid());
  }

  static Spec withNamespace(Spec s, String type, String path) {
    Linux l = s.linux();
    List<Namespace> ns = new ArrayList<>(l.namespaces().stream().filter(n -> !n.type().equals(type)).toList());
    ns.add(new Namespace(type, path));
    Linux linux = new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(), ns,
        l.devices(), l.seccomp(), l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths());
    return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), linux,
        s.annotations());
  }
}
