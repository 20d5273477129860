package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.berth.engine.BerthException;

/**
 * One published port: {@code hostIp:hostPort -> containerPort/protocol}.
 *
 * @param hostIp "" = every address (0.0.0.0)
 * @param hostPort 0 = a free port, chosen at start
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PortBinding(String protocol, int containerPort, String hostIp, int hostPort) {
  public PortBinding {
    protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol;
    hostIp = hostIp == null || hostIp.equals("0.0.0.0") ? "" : hostIp;
    if (!protocol.equals("tcp") && !protocol.equals("udp")) {
      throw new BerthException.InvalidArgument("invalid protocol " + protocol + " for port " + containerPort
          + " (use tcp or udp)");
    }
    if (containerPort < 1 || containerPort > 65535) {
      throw new BerthException.InvalidArgument("invalid container port " + containerPort + " (1-65535)");
    }
    if (hostPort < 0 || hostPort > 65535) {
      throw new BerthException.InvalidArgument("invalid host port " + hostPort + " (0-65535)");
    }
    if (!hostIp.isEmpty()) {
      Cidr.parseAddress(hostIp);
    }
  }

  /** Docker's key: "80/tcp". */
  public String key() {
    return containerPort + "/" + protocol;
  }

  public String hostIpOrAny() {
    return hostIp.isEmpty() ? "0.0.0.0" : hostIp;
  }

  PortBinding withHostPort(int port) {
    return new PortBinding(protocol, containerPort, hostIp, port);
  }
}
