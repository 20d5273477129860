package dev.berth.daemon.cri;

import dev.berth.engine.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.List;

/** Wires the CRI's two gRPC services onto the engine and serves them on one unix socket. */
public final class CriApi {
  private CriApi() {}

  public static CriServer serve(Engine engine, Path socket, GroupPrincipal group) throws IOException {
    return CriServer.start(socket, group, List.of(
        new CriRuntimeService(engine, socket.toString()),
        new CriImageService(engine)));
  }
}
