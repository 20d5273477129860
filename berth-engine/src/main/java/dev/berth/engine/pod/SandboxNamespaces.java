package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import dev.berth.engine.container.HostOptionsCheck;
import dev.berth.engine.sys.Mounts;
import dev.berth.engine.sys.NetNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The namespaces of a sandbox without an infra container (decision 2100): network, IPC and UTS
 * made inside berthd and bound on files under the exec-root ({@code pods/netns|ipcns|utsns/<id>}),
 * with the pod's hostname and sysctls set, for the pod's containers to join by path. A bound
 * file keeps its namespace alive with no process in it, across a berthd crash too.
 */
final class SandboxNamespaces {
  /** The bound files of one sandbox; null for a namespace it shares with the host. */
  record Bound(Path net, Path ipc, Path uts) {}

  private final Path netnsDir;
  private final Path ipcDir;
  private final Path utsDir;

  SandboxNamespaces(Path podsExecRoot, Path netnsDir) {
    this.netnsDir = netnsDir;
    this.ipcDir = podsExecRoot.resolve("ipcns");
    this.utsDir = podsExecRoot.resolve("utsns");
  }

  /** Makes and binds the sandbox's namespaces; on failure nothing is left. */
  Bound pin(String id, SandboxSpec spec) {
    NamespaceOptions ns = spec.linux().security().namespaces();
    boolean hostNetwork = ns.network() == NamespaceMode.NODE;
    boolean hostIpc = ns.ipc() == NamespaceMode.NODE;
    // runc's rules, as for an infra container: only sysctls of a namespace the pod has of its own
    HostOptionsCheck.sysctls(spec.linux().sysctls(), hostNetwork ? "host" : "", hostIpc ? "host" : "");
    Bound files = new Bound(hostNetwork ? null : netnsDir.resolve(id), hostIpc ? null : ipcDir.resolve(id),
        hostNetwork ? null : utsDir.resolve(id));
    try {
      touch(files.net());
      touch(files.ipc());
      touch(files.uts());
      NetNamespaces.createBound(new NetNamespaces.Pinned(files.net(), files.ipc(), files.uts(),
          hostNetwork ? "" : spec.hostname(), spec.linux().sysctls()));
      return files;
    } catch (IOException e) {
      unpin(files);
      throw new BerthException.Unavailable("cannot make the namespaces of sandbox " + id + ": " + e.getMessage(), e);
    }
  }

  /** Unbinds and deletes the files (each that exists); what cannot be freed is logged. */
  void unpin(Bound files) {
    for (Path p : new Path[] {files.net(), files.ipc(), files.uts()}) {
      if (p != null) {
        SandboxNetwork.unbind(p);
      }
    }
  }

  /** Whether the sandbox's namespaces are still bound (they are not after a reboot cleared the exec-root). */
  static boolean bound(SandboxRecord r) {
    for (String f : new String[] {r.netns(), r.ipcNs(), r.utsNs()}) {
      if (!f.isEmpty() && !Mounts.isMountPoint(Path.of(f))) {
        return false;
      }
    }
    return true;
  }

  static Bound of(SandboxRecord r) {
    return new Bound(path(r.netns()), path(r.ipcNs()), path(r.utsNs()));
  }

  private static Path path(String s) {
    return s.isEmpty() ? null : Path.of(s);
  }

  private static void touch(Path p) throws IOException {
    if (p != null) {
      Files.createDirectories(p.getParent());
      Files.deleteIfExists(p);
      Files.createFile(p);
    }
  }
}
