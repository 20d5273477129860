package dev.berth.engine.pod;

/** A sandbox port published on the host (CRI {@code PortMapping}); {@code hostIp} empty = all addresses. */
public record PodPortMapping(Protocol protocol, int containerPort, int hostPort, String hostIp) {
  public enum Protocol {
    TCP, UDP, SCTP
  }

  public PodPortMapping {
    protocol = protocol == null ? Protocol.TCP : protocol;
    hostIp = hostIp == null ? "" : hostIp;
  }
}
