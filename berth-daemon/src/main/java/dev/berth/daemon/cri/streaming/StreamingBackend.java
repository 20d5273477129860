package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/** What the streaming server asks of the engine when a client opens a URL it handed out. */
public interface StreamingBackend {
  /** Starts {@code target}'s command in its container. */
  StreamedProcess exec(ExecTarget target) throws IOException;

  /** Connects to {@code target}'s container's own process. */
  StreamedProcess attach(AttachTarget target) throws IOException;

  /** A TCP connection to {@code port} on the pod's loopback, made inside the pod's network namespace. */
  SocketChannel connect(PortForwardTarget target, int port) throws IOException;
}
