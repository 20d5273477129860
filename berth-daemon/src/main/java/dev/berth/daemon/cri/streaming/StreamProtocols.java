package dev.berth.daemon.cri.streaming;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sub-protocols kubelet's streaming server speaks, and its negotiation (the client's order wins). */
final class StreamProtocols {
  static final String HEADER = "X-Stream-Protocol-Version";
  static final String ACCEPTED_HEADER = "X-Accepted-Stream-Protocol-Versions";

  static final String V5 = "v5.channel.k8s.io";
  static final String V4 = "v4.channel.k8s.io";
  static final String V3 = "v3.channel.k8s.io";
  static final String V2 = "v2.channel.k8s.io";
  static final String V1 = "channel.k8s.io";
  static final String PORT_FORWARD = "portforward.k8s.io";

  /** SPDY exec/attach: v5 is v4 over SPDY (its close signal is WebSocket's). */
  static final List<String> REMOTE_COMMAND_SPDY = List.of(V5, V4, V3, V2, V1);
  static final List<String> PORT_FORWARD_SPDY = List.of(PORT_FORWARD);
  /** WebSocket exec/attach, binary framing only ("" is a client that names none: channel.k8s.io). */
  static final List<String> REMOTE_COMMAND_WEBSOCKET = List.of(V5, V4, V1);
  static final List<String> PORT_FORWARD_WEBSOCKET = List.of(V4, V1);

  private StreamProtocols() {}

  /** The protocols a client named, in its order: every header value, split at commas. */
  static List<String> parse(List<String> headerValues) {
    List<String> out = new ArrayList<>();
    for (String v : headerValues) {
      for (String p : v.split(",")) {
        if (!p.isBlank()) {
          out.add(p.strip());
        }
      }
    }
    return out;
  }

  /** The first of the client's protocols the server supports. */
  static Optional<String> negotiate(List<String> client, List<String> server) {
    return client.stream().filter(server::contains).findFirst();
  }

  /** Whether the error stream carries a JSON Status (v4 and later) rather than text. */
  static boolean jsonStatus(String protocol) {
    return protocol.equals(V4) || protocol.equals(V5);
  }

  /** Whether a TTY's size comes on a resize stream (v3 and later). */
  static boolean resizes(String protocol) {
    return protocol.equals(V3) || jsonStatus(protocol);
  }

  /** Go's %v of a []string, for the negotiation's error message. */
  static String goList(List<String> l) {
    return StreamStatus.goList(l);
  }
}
