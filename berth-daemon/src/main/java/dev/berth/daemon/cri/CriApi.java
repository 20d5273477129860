package dev.berth.daemon.cri;

import dev.berth.engine.Engine;
import dev.berth.daemon.cri.streaming.EngineStreamingBackend;
import dev.berth.daemon.cri.streaming.StreamingServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.List;

/** Wires the CRI's two gRPC services onto the engine and serves them on one unix socket. */
public final class CriApi {
  private CriApi() {}

  /**
   * Serves the CRI on {@code socket}, with Exec, Attach and PortForward answered by a streaming
   * server on loopback (a free port, as containerd's default), closed with the CRI server.
   */
  public static CriServer serve(Engine engine, Path socket, GroupPrincipal group) throws IOException {
    StreamingServer streaming = StreamingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new EngineStreamingBackend(engine.containers()));
    try {
      return CriServer.start(socket, group, List.of(
          new CriRuntimeService(engine, socket.toString(), streaming),
          new CriImageService(engine)), streaming);
    } catch (IOException | RuntimeException e) {
      streaming.close();
      throw e;
    }
  }
}
