package dev.berth.engine.pod;

import java.util.List;
import java.util.Map;

/**
 * What RunPodSandbox asks for (CRI {@code PodSandboxConfig}).
 *
 * @param logDirectory where kubelet wants the pod's container logs (a container's log path is
 *     relative to it); may be empty
 * @param runtimeHandler the RuntimeClass handler; empty = the default runtime
 */
public record SandboxSpec(PodMetadata metadata, String hostname, String logDirectory, DnsConfig dns,
    List<PodPortMapping> portMappings, Map<String, String> labels, Map<String, String> annotations,
    SandboxLinux linux, String runtimeHandler) {
  public SandboxSpec {
    if (metadata == null) {
      throw new IllegalArgumentException("a sandbox needs its metadata");
    }
    hostname = hostname == null ? "" : hostname;
    logDirectory = logDirectory == null ? "" : logDirectory;
    dns = dns == null ? DnsConfig.NONE : dns;
    portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    linux = linux == null ? SandboxLinux.DEFAULT : linux;
    runtimeHandler = runtimeHandler == null ? "" : runtimeHandler;
  }
}
