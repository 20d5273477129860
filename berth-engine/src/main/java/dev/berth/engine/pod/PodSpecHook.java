package dev.berth.engine.pod;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.SpecHook;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a pod's containers need in their OCI spec beyond Docker's fields: the sandbox's cgroup
 * parent, CRI's masked and read-only paths, and the pod's hostname (its UTS namespace is the
 * infra's, so Berth's per-container default must not show in HOSTNAME or /etc/hostname).
 */
final class PodSpecHook implements SpecHook {
  private final PodRecords records;
  private final Function<String, Path> containerDir;
  private final SandboxShm shm;

  PodSpecHook(PodRecords records, Function<String, Path> containerDir, SandboxShm shm) {
    this.records = records;
    this.containerDir = containerDir;
    this.shm = shm;
  }

  @Override
  public Spec apply(Container c, Spec spec) {
    if ("true".equals(c.config().labels().get(PodLabels.INFRA))) {
      return records.sandbox(c.id()).map(s -> withPodShm(s.spec(), c.id(), forSandbox(c.id(), s.spec(), spec)))
          .orElse(spec);
    }
    String sandboxId = c.config().labels().get(PodLabels.SANDBOX);
    if (sandboxId == null) {
      return spec;
    }
    Optional<ContainerRecord> r = records.container(c.id());
    Optional<SandboxRecord> s = records.sandbox(sandboxId);
    if (r.isEmpty() || s.isEmpty()) {
      return spec;
    }
    Spec adjusted = forContainer(c.id(), s.get(), r.get().spec(), spec);
    return r.get().spec().security().namespaces().ipc() == NamespaceMode.NODE ? adjusted
        : withPodShm(s.get().spec(), sandboxId, adjusted);
  }

  /** The pod's shared /dev/shm, unless the pod uses the host's IPC namespace (and so its /dev/shm). */
  private Spec withPodShm(SandboxSpec sandbox, String sandboxId, Spec spec) {
    if (sandbox.linux().security().namespaces().ipc() == NamespaceMode.NODE) {
      return spec;
    }
    return SandboxShm.withShm(spec, shm.path(sandboxId));
  }

  static Spec forSandbox(String id, SandboxSpec sandbox, Spec spec) {
    return withCgroupsPath(spec, cgroupsPath(sandbox, id));
  }

  Spec forContainer(String id, SandboxRecord sandbox, PodContainerSpec pod, Spec spec) {
    Spec s = withCgroupsPath(spec, cgroupsPath(sandbox.spec(), id));
    if (sandbox.pinned()) {
      s = joinPinned(s, sandbox);
    }
    ContainerSecurity sec = pod.security();
    if (!sec.privileged() && (!sec.maskedPaths().isEmpty() || !sec.readonlyPaths().isEmpty())) {
      Linux l = s.linux();
      s = withLinux(s, new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(),
          l.namespaces(), l.devices(), l.seccomp(), l.rootfsPropagation(),
          sec.maskedPaths().isEmpty() ? l.maskedPaths() : sec.maskedPaths(),
          sec.readonlyPaths().isEmpty() ? l.readonlyPaths() : sec.readonlyPaths()));
    }
    String propagation = rootfsPropagation(pod.mounts());
    if (propagation != null) {
      Linux l = s.linux();
      s = withLinux(s, new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(),
          l.namespaces(), l.devices(), l.seccomp(), propagation, l.maskedPaths(), l.readonlyPaths()));
    }
    if (!sandbox.hostNetwork() && !sandbox.spec().hostname().isEmpty()) {
      s = withHostnameEnv(s, sandbox.spec().hostname());
      try {
        Files.writeString(containerDir.apply(id).resolve("hostname"), sandbox.spec().hostname() + "\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot write the hostname file of container " + id, e);
      }
    }
    return s;
  }

  /**
   * A container of a sandbox without an infra container (decision 2100): each namespace of its own
   * that the pod has bound (network, IPC, UTS) is the pod's, joined by path; in the pod's UTS
   * namespace it sets the pod's hostname (none when the pod has none: its own would rename the pod).
   */
  static Spec joinPinned(Spec s, SandboxRecord sandbox) {
    List<Namespace> joined = new ArrayList<>();
    boolean uts = false;
    for (Namespace n : s.linux().namespaces()) {
      String pod = switch (n.type()) {
        case "network" -> sandbox.netns();
        case "ipc" -> sandbox.ipcNs();
        case "uts" -> sandbox.utsNs();
        default -> "";
      };
      if ((n.path() == null || n.path().isEmpty()) && !pod.isEmpty()) {
        joined.add(new Namespace(n.type(), pod));
        uts |= n.type().equals("uts");
      } else {
        joined.add(n);
      }
    }
    Linux l = s.linux();
    Spec j = withLinux(s, new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(),
        joined, l.devices(), l.seccomp(), l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths()));
    if (!uts) {
      return j;
    }
    String hostname = sandbox.spec().hostname().isEmpty() ? null : sandbox.spec().hostname();
    return new Spec(j.ociVersion(), j.process(), j.root(), hostname, j.domainname(), j.mounts(), j.linux(),
        j.annotations());
  }

  /**
   * A mount that receives the host's later mounts (or shares its own back) needs the container's
   * root to propagate too, as containerd and CRI-O set it: rshared for bidirectional, rslave for
   * host-to-container; null (runc's private default) otherwise.
   */
  static String rootfsPropagation(List<PodMount> mounts) {
    if (mounts.stream().anyMatch(m -> m.propagation() == PodMount.Propagation.BIDIRECTIONAL)) {
      return "rshared";
    }
    if (mounts.stream().anyMatch(m -> m.propagation() == PodMount.Propagation.HOST_TO_CONTAINER)) {
      return "rslave";
    }
    return null;
  }

  /** cgroupfs: the container's own cgroup under the sandbox's parent; Berth's default without one. */
  static Optional<String> cgroupsPath(SandboxSpec sandbox, String id) {
    String parent = sandbox.linux().cgroupParent();
    if (parent.isEmpty()) {
      return Optional.empty();
    }
    String p = parent.startsWith("/") ? parent : "/" + parent;
    return Optional.of((p.endsWith("/") ? p : p + "/") + "berth-" + id);
  }

  private static Spec withCgroupsPath(Spec s, Optional<String> path) {
    if (path.isEmpty()) {
      return s;
    }
    Linux l = s.linux();
    return withLinux(s, new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), path.get(),
        l.namespaces(), l.devices(), l.seccomp(), l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths()));
  }

  private static Spec withHostnameEnv(Spec s, String hostname) {
    ProcessSpec p = s.process();
    List<String> env = new ArrayList<>(p.env().stream().filter(e -> !e.startsWith("HOSTNAME=")).toList());
    env.addFirst("HOSTNAME=" + hostname);
    ProcessSpec process = new ProcessSpec(p.terminal(), p.consoleSize(), p.user(), p.args(), env, p.cwd(),
        p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj());
    return new Spec(s.ociVersion(), process, s.root(), s.hostname(), s.domainname(), s.mounts(), s.linux(),
        s.annotations());
  }

  private static Spec withLinux(Spec s, Linux linux) {
    return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), linux,
        s.annotations());
  }
}
