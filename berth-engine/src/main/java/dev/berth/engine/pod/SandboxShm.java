package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's /dev/shm: one tmpfs on the host under the exec-root, bind-mounted into the infra
 * container and every container of the pod, as CRI-O does. (Binding the infra's own /dev/shm
 * through /proc/PID/root, as {@code --ipc container:X} does, is a bind across mount namespaces,
 * which the kernel refuses with EINVAL.)
 */
final class SandboxShm {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SandboxShm.class);
  private static final long MS_NOSUID = 2;
  private static final long MS_NODEV = 4;
  private static final long MS_NOEXEC = 8;
  /** Docker's and kubelet runtimes' default size. */
  private static final String OPTIONS = "mode=1777,size=65536k";

  private final Path dir;

  SandboxShm(Path dir) {
    this.dir = dir;
  }

  Path path(String sandboxId) {
    return dir.resolve(sandboxId);
  }

  void create(String sandboxId) {
    Path p = path(sandboxId);
    try {
      Files.createDirectories(p);
      if (!Mounts.isMountPoint(p)) {
        Mounts.mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, OPTIONS);
      }
    } catch (IOException | RuntimeException e) {
      remove(sandboxId);
      throw new BerthException.Unavailable("cannot mount the /dev/shm of sandbox " + sandboxId + " at " + p + ": "
          + e.getMessage(), e);
    }
  }

  void remove(String sandboxId) {
    Path p = path(sandboxId);
    try {
      Mounts.unmount(p, Mounts.MNT_DETACH); // not a mount point (EINVAL) or gone: nothing to do (no mountinfo read)
      Files.deleteIfExists(p);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot remove the /dev/shm of sandbox {} at {}: {}", sandboxId, p, e.getMessage());
    }
  }

  /** The spec with its /dev/shm replaced by a bind of {@code shm}. */
  static Spec withShm(Spec s, Path shm) {
    List<Mount> mounts = new ArrayList<>(s.mounts().stream().filter(m -> !m.destination().equals("/dev/shm")).toList());
    mounts.add(new Mount("/dev/shm", "bind", shm.toString(), List.of("rbind", "rprivate", "nosuid", "nodev",
        "noexec")));
    return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), mounts, s.linux(),
        s.annotations());
  }
}
