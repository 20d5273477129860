package dev.berth.engine.pod;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the engine keeps of a sandbox beside its infra container (whose ID is the sandbox's):
 * the spec as kubelet sent it, when it was made, and its CNI attachment.
 *
 * @param createdNanos since the epoch
 * @param netns the bound network namespace file; empty on the host's network
 * @param network the CNI config list ADD ran with (DEL needs the same); null on the host's network
 * @param networkUp whether ADD succeeded and no DEL ran since
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record SandboxRecord(String id, SandboxSpec spec, long createdNanos, String netns, ObjectNode network,
    boolean networkUp, String ip, List<String> additionalIps) {
  SandboxRecord {
    netns = netns == null ? "" : netns;
    ip = ip == null ? "" : ip;
    additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
  }

  SandboxRecord withNetwork(ObjectNode network, boolean up, String ip, List<String> more) {
    return new SandboxRecord(id, spec, createdNanos, netns, network, up, ip, more);
  }

  SandboxRecord withNetworkDown() {
    return new SandboxRecord(id, spec, createdNanos, netns, network, false, ip, additionalIps);
  }

  boolean hostNetwork() {
    return spec.linux().security().namespaces().network() == NamespaceMode.NODE;
  }
}
