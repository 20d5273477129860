package dev.berth.engine.pod;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the engine keeps of a sandbox: the spec as kubelet sent it, when it was made, its CNI
 * attachment and, for a sandbox without an infra container (decision 2100), its pinned
 * namespaces and whether it was stopped. A sandbox with an infra container has that container's
 * ID; its state is the container's.
 *
 * @param createdNanos since the epoch
 * @param netns the bound network namespace file; empty on the host's network
 * @param network the CNI config list ADD ran with (DEL needs the same); null on the host's network
 * @param networkUp whether ADD succeeded and no DEL ran since
 * @param pinned true when Berth holds the namespaces itself (bound files), with no infra container
 * @param ipcNs the bound IPC namespace file of a pinned sandbox; empty on the host's IPC
 * @param utsNs the bound UTS namespace file of a pinned sandbox; empty on the host's network
 * @param stopped a pinned sandbox was stopped: NOTREADY from then on; its namespaces are freed, or
 *     about to be while {@code networkUp} or a bound file remains (decision 3200)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record SandboxRecord(String id, SandboxSpec spec, long createdNanos, String netns, ObjectNode network,
    boolean networkUp, String ip, List<String> additionalIps, boolean pinned, String ipcNs, String utsNs,
    boolean stopped) {
  @JsonCreator
  SandboxRecord {
    netns = netns == null ? "" : netns;
    ip = ip == null ? "" : ip;
    additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
    ipcNs = ipcNs == null ? "" : ipcNs;
    utsNs = utsNs == null ? "" : utsNs;
  }

  /** A sandbox held by an infra container (decision 1000). */
  SandboxRecord(String id, SandboxSpec spec, long createdNanos, String netns, ObjectNode network, boolean networkUp,
      String ip, List<String> additionalIps) {
    this(id, spec, createdNanos, netns, network, networkUp, ip, additionalIps, false, "", "", false);
  }

  SandboxRecord withNetwork(ObjectNode network, boolean up, String ip, List<String> more) {
    return new SandboxRecord(id, spec, createdNanos, netns, network, up, ip, more, pinned, ipcNs, utsNs, stopped);
  }

  SandboxRecord withNetworkDown() {
    return new SandboxRecord(id, spec, createdNanos, netns, network, false, ip, additionalIps, pinned, ipcNs, utsNs,
        stopped);
  }

  /** Stopped (NOTREADY) with its network and namespaces still to be freed: a teardown is due (decision 3200). */
  SandboxRecord withStoppedBeforeTeardown() {
    return new SandboxRecord(id, spec, createdNanos, netns, network, networkUp, ip, additionalIps, pinned, ipcNs, utsNs,
        true);
  }

  SandboxRecord withStopped() {
    return new SandboxRecord(id, spec, createdNanos, netns, network, false, ip, additionalIps, pinned, ipcNs, utsNs,
        true);
  }

  boolean hostNetwork() {
    return spec.linux().security().namespaces().network() == NamespaceMode.NODE;
  }
}
